using Onnx;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Onnx.Graph;
using static STEM.Recommenders.Onnx.Pipeline.FieldOps;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>
/// A dense vector: D numeric component inputs; slot j weighs row j by the standardised component,
/// slot D is the "no vector" row (weight 1 when every component is missing). A vector with some
/// components missing is an error OnnxPredictor reports before the graph runs (the graph reads it as absent).
/// </summary>
internal sealed class DenseVectorInputWriter : IFeatureInputWriter
{
    public Type SpecType => typeof(DenseVectorFeature);

    public string? Unsupported(FittedFeature feature) => null;

    public (string Ids, string Weights) Write(OnnxGraph graph, FittedFeature feature, FieldLayout place, RawColumns columns)
    {
        var spec = (DenseVectorFeature)feature.Spec;
        var d = spec.Dimension;
        var values = new List<string>();
        var missing = new List<string>();
        foreach (var column in spec.Columns)
        {
            var raw = columns.Value(column, numeric: true, vector: spec.Name);
            var absent = Missing(graph, raw);
            values.Add(Column(graph, Parse(graph, raw, absent)));
            missing.Add(Column(graph, Cast(graph, absent, TensorProto.Types.DataType.Int64)));
        }

        var vector = d == 1 ? values[0] : graph.Op("Concat", values, Attributes(("axis", 1L)));
        var absentCount = d == 1 ? missing[0] : graph.Op("ReduceSum", [graph.Op("Concat", missing, Attributes(("axis", 1L))), graph.Longs(1)], Attributes(("keepdims", 1L)));
        var found = graph.Op("Equal", absentCount, graph.Constant([0L], 1));
        var mean = feature.ComponentMeans?.ToArray() ?? new double[d];
        var scale = (feature.ComponentStandardDeviations?.ToArray() ?? Enumerable.Repeat(1.0, d).ToArray()).Select(s => 1.0 / s).ToArray();
        var standardised = Cast(graph, graph.Op("Mul", graph.Op("Sub", vector, graph.Constant(mean, 1, d)), graph.Constant(scale, 1, d)), TensorProto.Types.DataType.Float);
        var weights = graph.Op("Concat", [
            graph.Op("Where", found, standardised, graph.Constant([0f], 1)),
            graph.Op("Where", found, graph.Constant([0f], 1), graph.Constant([1f], 1)),
        ], Attributes(("axis", 1L)));
        var rows = Enumerable.Range(0, d + 1).Select(j => place.Offset + j).ToArray();
        return (Rows(graph, weights, graph.Constant(rows, 1, d + 1), d + 1), weights);
    }
}
