using Onnx;
using STEM.Recommenders.Features;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>The ONNX pieces the feature writers share: missing values, number parsing, transforms, row-shaped constants.</summary>
internal static class FieldOps
{
    public static Dictionary<string, object> Attributes(params (string Key, object Value)[] values) => values.ToDictionary(v => v.Key, v => v.Value);

    /// <summary>bool, true where the raw value is "" (a missing value, as an empty CSV field).</summary>
    public static string Missing(OnnxGraph g, string raw) => g.Op("Equal", raw, g.Constant([string.Empty], 1));

    /// <summary>The raw value as float64 ("" reads as 0; callers mask it with <see cref="Missing"/>).</summary>
    public static string Parse(OnnxGraph g, string raw, string missing) =>
        g.Op("Cast", [g.Op("Where", missing, g.Constant(["0"], 1), raw)], Attributes(("to", (long)TensorProto.Types.DataType.Double)));

    public static string Cast(OnnxGraph g, string x, TensorProto.Types.DataType to) => g.Op("Cast", [x], Attributes(("to", (long)to)));

    /// <summary>A ValueTransform in float64, exactly as ValueTransform.Apply computes it.</summary>
    public static string Transform(OnnxGraph g, string value, ValueTransform transform, int log2Min = -1074, int log2Max = 1022) => transform.Kind switch
    {
        ValueTransformKind.FloorDivide => g.Op("Floor", g.Op("Div", value, g.Constant([transform.Argument], 1))),
        ValueTransformKind.Log2Bucket => Log2Floor(g, g.Op("Add", g.Op("Mul", value, g.Constant([transform.Argument], 1)), g.Constant([1.0], 1)), log2Min, log2Max),
        _ => throw new NotSupportedException($"transform {transform.Kind} has no ONNX form"),
    };

    /// <summary>
    /// floor(log2(y)) for y in [2^min, 2^(max+2)), exactly: min − 1 plus the number of powers 2^k
    /// (k = min … max + 1) that y reaches. Log and a division by ln 2 would round at exact powers of two.
    /// </summary>
    public static string Log2Floor(OnnxGraph g, string y, int min, int max)
    {
        var powers = Enumerable.Range(min, max - min + 2).Select(k => Math.Pow(2, k)).ToArray();
        var reached = Cast(g, g.Op("GreaterOrEqual", g.Op("Unsqueeze", y, g.Longs(1)), g.Constant(powers, 1, powers.Length)), TensorProto.Types.DataType.Double);
        var count = g.Op("ReduceSum", [reached, g.Longs(1)], Attributes(("keepdims", 0L)));
        return g.Op("Add", count, g.Constant([min - 1.0], 1));
    }

    /// <summary>A [1, K] constant row repeated for every row of <paramref name="like"/> ([B] or [B, …]): [B, K].</summary>
    public static string Rows(OnnxGraph g, string like, string row, int width)
    {
        var batch = g.Op("Slice", g.Op("Shape", like), g.Longs(0), g.Longs(1));
        var shape = g.Op("Concat", [batch, g.Longs(width)], Attributes(("axis", 0L)));
        return g.Op("Expand", row, shape);
    }

    public static string Column(OnnxGraph g, string x) => g.Op("Unsqueeze", x, g.Longs(1));
}
