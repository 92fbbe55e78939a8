using Onnx;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Onnx.Graph;
using static STEM.Recommenders.Onnx.Pipeline.FieldOps;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>
/// A multi-valued field, given pre-split: a [B, MaxLength] string input holding a row's values
/// (split on the separator, trimmed, empty ones dropped, the first MaxLength kept) padded with "".
/// Each value maps with CategoryMapper (index + 2, OOV → 1); a slot's weight is 1/n (mean pooling)
/// or 1 (sum), 0 for padding; a row without values pools to the OOV row, as the pipeline does.
/// </summary>
internal sealed class MultiValueInputWriter : IFeatureInputWriter
{
    public Type SpecType => typeof(MultiValueFeature);

    public string? Unsupported(FittedFeature feature) => null;

    public (string Ids, string Weights) Write(OnnxGraph graph, FittedFeature feature, FieldLayout place, RawColumns columns)
    {
        var spec = (MultiValueFeature)feature.Spec;
        var length = spec.MaxLength;
        var raw = columns.Values(spec.SourceColumn, length, spec.Separator);
        var vocabulary = feature.Vocabulary ?? [];
        var present = graph.Op("Not", Missing(graph, raw));
        var local = vocabulary.Count == 0
            ? graph.Op("Add", graph.Op("Mul", Cast(graph, present, TensorProto.Types.DataType.Int64), graph.Constant([0L], 1)), graph.Constant([1L], 1))
            : graph.Op("CategoryMapper", [raw], Attributes(
                ("cats_strings", vocabulary.ToArray()),
                ("cats_int64s", Enumerable.Range(2, vocabulary.Count).Select(i => (long)i).ToArray()),
                ("default_int64", 1L)), "ai.onnx.ml");
        var offset = graph.Constant([place.Offset], 1);
        var ids = graph.Op("Where", present, graph.Op("Add", local, offset), offset);
        var count = graph.Op("ReduceSum", [Cast(graph, present, TensorProto.Types.DataType.Float), graph.Longs(1)], Attributes(("keepdims", 1L)));
        var each = spec.Pooling == Pooling.Mean ? graph.Op("Div", graph.Constant([1f], 1), count) : graph.Constant([1f], 1);
        var weights = graph.Op("Where", present, graph.Op("Mul", each, Cast(graph, present, TensorProto.Types.DataType.Float)), graph.Constant([0f], 1));

        // No value: slot 0 holds the OOV row with weight 1.
        var first = new bool[length];
        first[0] = true;
        var firstSlot = graph.Op("Equal", graph.Constant(first.Select(b => b ? 1L : 0L).ToArray(), 1, length), graph.Constant([1L], 1));
        var empty = graph.Op("And", graph.Op("Equal", count, graph.Constant([0f], 1)), firstSlot);
        ids = graph.Op("Where", empty, graph.Op("Add", offset, graph.Constant([1L], 1)), ids);
        weights = graph.Op("Where", empty, graph.Constant([1f], 1), weights);
        return (ids, weights);
    }
}
