using Onnx;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Onnx.Graph;
using static STEM.Recommenders.Onnx.Pipeline.FieldOps;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>
/// A numeric field, in float64 as the pipeline computes it: scaled (standardised, min-max or as is)
/// into the weight of the field's one row (missing → weight 0), or bucketed by the fitted
/// boundaries (id 1 + #boundaries ≤ x, missing → 0). The optional transform comes first.
/// </summary>
internal sealed class NumericInputWriter : IFeatureInputWriter
{
    public Type SpecType => typeof(NumericFeature);

    public string? Unsupported(FittedFeature feature) => null;

    public (string Ids, string Weights) Write(OnnxGraph graph, FittedFeature feature, FieldLayout place, RawColumns columns)
    {
        var spec = (NumericFeature)feature.Spec;
        var raw = columns.Value(spec.SourceColumn, numeric: true, spec.Transform?.Kind == ValueTransformKind.Log2Bucket ? spec.Transform.Argument : null);
        var missing = Missing(graph, raw);
        var value = Parse(graph, raw, missing);
        if (spec.Transform is not null)
        {
            value = Transform(graph, value, spec.Transform);
        }

        if (feature.Boundaries is { } boundaries)
        {
            var bucket = graph.Constant([1L], 1);
            if (boundaries.Count > 0)
            {
                var reached = Cast(graph, graph.Op("GreaterOrEqual", Column(graph, value), graph.Constant(boundaries.ToArray(), 1, boundaries.Count)), TensorProto.Types.DataType.Int64);
                bucket = graph.Op("Add", graph.Op("ReduceSum", [reached, graph.Longs(1)], Attributes(("keepdims", 0L))), bucket);
            }

            var local = graph.Op("Where", missing, graph.Constant([0L], 1), bucket);
            var ids = Column(graph, graph.Op("Add", local, graph.Constant([place.Offset], 1)));
            return (ids, Rows(graph, raw, graph.Constant([1f], 1, 1), 1));
        }

        var scaled = Scale(graph, value, spec.Scaling, feature);
        var weight = Cast(graph, graph.Op("Where", missing, graph.Constant([0.0], 1), scaled), TensorProto.Types.DataType.Float);
        return (Rows(graph, raw, graph.Constant([place.Offset], 1, 1), 1), Column(graph, weight));
    }

    private static string Scale(OnnxGraph graph, string x, NumericScaling scaling, FittedFeature fitted) => scaling switch
    {
        NumericScaling.Standardize => graph.Op("Div", graph.Op("Sub", x, graph.Constant([fitted.Mean!.Value], 1)), graph.Constant([fitted.StandardDeviation!.Value], 1)),
        NumericScaling.MinMax when fitted.Maximum > fitted.Minimum =>
            graph.Op("Div", graph.Op("Sub", x, graph.Constant([fitted.Minimum!.Value], 1)), graph.Constant([fitted.Maximum!.Value - fitted.Minimum!.Value], 1)),
        NumericScaling.MinMax => graph.Op("Mul", x, graph.Constant([0.0], 1)),
        _ => x,
    };
}
