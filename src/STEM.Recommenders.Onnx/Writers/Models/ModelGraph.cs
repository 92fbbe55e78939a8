using STEM.Recommenders.Onnx.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Writers.Models;

/// <summary>Small pieces the model writers share.</summary>
internal static class ModelGraph
{
    /// <summary>The embedding bank's inputs: ids, then the slot weights when there are any.</summary>
    public static string[] EmbeddingInputs(string ids, string? weights) => weights is null ? [ids] : [ids, weights];

    /// <summary>x[index] along axis 0 (the dimension is removed).</summary>
    public static string Select(OnnxGraph graph, string x, long index) =>
        graph.Op("Gather", [x, graph.Scalar(index)], new Dictionary<string, object> { ["axis"] = 0L });

    public static string Softmax(OnnxGraph graph, string x, long axis = -1) =>
        graph.Op("Softmax", [x], new Dictionary<string, object> { ["axis"] = axis });

    public static string Concat(OnnxGraph graph, IReadOnlyList<string> parts, long axis) =>
        parts.Count == 1 ? parts[0] : graph.Op("Concat", parts, new Dictionary<string, object> { ["axis"] = axis });

    /// <summary>[B, T] logits → probabilities.</summary>
    public static string Probabilities(OnnxGraph graph, string logits) => graph.Op("Sigmoid", logits);

    /// <summary>The module's child, by the name its field has (TorchSharp registers fields under their names).</summary>
    public static nn.Module Child(nn.Module module, string name) => OnnxGraph.Child(module, name);
}
