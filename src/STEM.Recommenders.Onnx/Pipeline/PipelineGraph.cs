using Onnx;
using STEM.Recommenders.Features;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>
/// The fitted feature pipeline as the front of the graph: raw string inputs per column → the
/// int64 [B, S] ids and float [B, S] slot weights that <see cref="FeaturePipeline.EncodeFeatures"/>
/// produces, field by field in the layout's slot order.
/// </summary>
internal static class PipelineGraph
{
    private static readonly Dictionary<Type, IFeatureInputWriter> Writers = new IFeatureInputWriter[]
    {
        new CategoricalInputWriter(),
        new NumericInputWriter(),
        new MultiValueInputWriter(),
        new DenseVectorInputWriter(),
    }.ToDictionary(w => w.SpecType);

    /// <summary>Why each field that cannot be expressed in ONNX cannot (empty when the whole pipeline can).</summary>
    public static IReadOnlyList<string> Unsupported(FeaturePipeline pipeline)
    {
        var reasons = new List<string>();
        foreach (var fitted in pipeline.Fitted)
        {
            if (!Writers.TryGetValue(fitted.Spec.GetType(), out var writer))
            {
                reasons.Add($"feature '{fitted.Spec.Name}': feature type {fitted.Spec.GetType().Name} has no ONNX writer");
            }
            else if (writer.Unsupported(fitted) is { } reason)
            {
                reasons.Add(reason);
            }
        }

        // A column read both as one value and as a list cannot be one input.
        var kinds = pipeline.Fitted.SelectMany(f => f.Spec.SourceColumns.Select(c => (Column: c, List: f.Spec is MultiValueFeature, Length: f.Slots)))
            .GroupBy(x => x.Column, StringComparer.Ordinal)
            .Where(g => g.Select(x => (x.List, x.List ? x.Length : 1)).Distinct().Count() > 1);
        reasons.AddRange(kinds.Select(g => $"column '{g.Key}' is read both as one value and as a list of values (or as lists of different lengths)"));
        return reasons;
    }

    /// <summary>Appends the raw inputs and the encoding; returns the ids, the weights (null when the pipeline has none) and the inputs.</summary>
    public static (string Ids, string? Weights, IReadOnlyCollection<RawInput> Inputs) Write(OnnxGraph graph, FeaturePipeline pipeline)
    {
        var columns = new RawColumns(graph);
        var byName = pipeline.Fitted.ToDictionary(f => f.Spec.Name, StringComparer.Ordinal);
        var ids = new List<string>();
        var weights = new List<string>();
        foreach (var place in pipeline.Layout.Fields)
        {
            var fitted = byName[place.Name];
            var (fieldIds, fieldWeights) = Writers[fitted.Spec.GetType()].Write(graph, fitted, place, columns);
            ids.Add(fieldIds);
            weights.Add(fieldWeights);
        }

        var attributes = new Dictionary<string, object> { ["axis"] = 1L };
        var allIds = ids.Count == 1 ? ids[0] : graph.Op("Concat", ids, attributes);
        var hasWeights = pipeline.WeightedSlots.Count > 0;
        var allWeights = !hasWeights ? null : weights.Count == 1 ? weights[0] : graph.Op("Concat", weights, attributes);
        return (allIds, allWeights, columns.Inputs);
    }

    /// <summary>The id inputs of a graph that leaves encoding to the caller: ids [B, S] and, when the pipeline has them, weights [B, S].</summary>
    public static (string Ids, string? Weights) IdInputs(OnnxGraph graph, FeaturePipeline pipeline)
    {
        var slots = pipeline.Layout.SlotCount;
        graph.Input(OnnxNames.Ids, TensorProto.Types.DataType.Int64, "batch", slots);
        if (pipeline.WeightedSlots.Count == 0)
        {
            return (OnnxNames.Ids, null);
        }

        graph.Input(OnnxNames.Weights, TensorProto.Types.DataType.Float, "batch", slots);
        return (OnnxNames.Ids, OnnxNames.Weights);
    }
}
