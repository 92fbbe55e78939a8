using System.Globalization;
using Onnx;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Onnx.Graph;
using static STEM.Recommenders.Onnx.Pipeline.FieldOps;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>
/// A categorical field: the raw string through ai.onnx.ml CategoryMapper (vocabulary index + 1, OOV
/// and missing → 0); with a numeric transform the value is parsed, transformed in float64 and looked
/// up in the integer keys with LabelEncoder. Hash buckets (FNV-1a over UTF-16 code units) have no ONNX operator.
/// </summary>
internal sealed class CategoricalInputWriter : IFeatureInputWriter
{
    private const double IntegerLimit = 4.6e18; // inside int64, so clamped keys cast exactly

    public Type SpecType => typeof(CategoricalFeature);

    public string? Unsupported(FittedFeature feature)
    {
        var spec = (CategoricalFeature)feature.Spec;
        if (spec.HashBuckets is not null)
        {
            return $"feature '{spec.Name}': hash buckets (the FNV-1a hash of the value has no ONNX operator)";
        }

        if (spec.Transform is not null && (feature.Vocabulary ?? []).Any(v => IntegerKey(v) is null))
        {
            return $"feature '{spec.Name}': a {spec.Transform.Kind} key that is not an integer";
        }

        return null;
    }

    public (string Ids, string Weights) Write(OnnxGraph graph, FittedFeature feature, FieldLayout place, RawColumns columns)
    {
        var spec = (CategoricalFeature)feature.Spec;
        var vocabulary = feature.Vocabulary ?? [];
        var local = spec.Transform is null
            ? Lookup(graph, columns.Value(spec.SourceColumn), vocabulary)
            : TransformedLookup(graph, columns.Value(spec.SourceColumn, numeric: true, spec.Transform.Kind == ValueTransformKind.Log2Bucket ? spec.Transform.Argument : null), spec.Transform, vocabulary);
        var ids = Column(graph, graph.Op("Add", local, graph.Constant([place.Offset], 1)));
        return (ids, Rows(graph, ids, graph.Constant([1f], 1, 1), 1));
    }

    private static string Lookup(OnnxGraph graph, string raw, IReadOnlyList<string> vocabulary)
    {
        if (vocabulary.Count == 0)
        {
            return graph.Op("Mul", Cast(graph, Missing(graph, raw), TensorProto.Types.DataType.Int64), graph.Constant([0L], 1));
        }

        return graph.Op("CategoryMapper", [raw], Attributes(
            ("cats_strings", vocabulary.ToArray()),
            ("cats_int64s", Enumerable.Range(1, vocabulary.Count).Select(i => (long)i).ToArray()),
            ("default_int64", 0L)), "ai.onnx.ml");
    }

    private static string TransformedLookup(OnnxGraph graph, string raw, ValueTransform transform, IReadOnlyList<string> vocabulary)
    {
        var missing = Missing(graph, raw);
        var keys = vocabulary.Select(v => IntegerKey(v)!.Value).ToArray();
        if (keys.Length == 0)
        {
            return graph.Op("Mul", Cast(graph, missing, TensorProto.Types.DataType.Int64), graph.Constant([0L], 1));
        }

        // Log2 keys are exact over the vocabulary's range (below or above it is OOV anyway).
        var key = transform.Kind == ValueTransformKind.Log2Bucket
            ? Transform(graph, Parse(graph, raw, missing), transform, (int)Math.Max(-1074, keys.Min()), (int)Math.Min(1022, keys.Max()))
            : Transform(graph, Parse(graph, raw, missing), transform);
        var clamped = graph.Op("Max", graph.Op("Min", key, graph.Constant([IntegerLimit], 1)), graph.Constant([-IntegerLimit], 1));
        var found = graph.Op("LabelEncoder", [Cast(graph, clamped, TensorProto.Types.DataType.Int64)], Attributes(
            ("keys_int64s", keys),
            ("values_int64s", Enumerable.Range(1, keys.Length).Select(i => (long)i).ToArray()),
            ("default_int64", 0L)), "ai.onnx.ml");
        return graph.Op("Where", missing, graph.Constant([0L], 1), found);
    }

    /// <summary>A transformed key as the pipeline writes it (double.ToString of an integer), or null.</summary>
    private static long? IntegerKey(string key) =>
        long.TryParse(key, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && Math.Abs(value) < IntegerLimit && value.ToString(CultureInfo.InvariantCulture) == key
            ? value
            : null;
}
