using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Writers.Models;

/// <summary>Shared-bottom: embedding → one bottom MLP → towers.</summary>
internal sealed class SharedBottomWriter : IOnnxModelWriter
{
    public Type ModelType => typeof(SharedBottom);

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights) =>
        ModelGraph.Probabilities(graph, Logits(graph, model, "", ids, weights));

    /// <summary>The [B, T] logits of a shared-bottom network whose weights live under <paramref name="prefix"/>.</summary>
    public static string Logits(OnnxGraph graph, IMultiTaskModel model, string prefix, string ids, string? weights)
    {
        var m = model.TorchModule;
        var x = ModelGraph.Select(graph, graph.Module(ModelGraph.Child(m, "embedding"), prefix + "embedding", ModelGraph.EmbeddingInputs(ids, weights))[0], 0);
        var hidden = ModelGraph.Select(graph, graph.Module(ModelGraph.Child(m, "bottom"), prefix + "bottom", x)[0], 0);
        return graph.Module(ModelGraph.Child(m, "towers"), prefix + "towers", hidden)[0];
    }
}

/// <summary>Single-task: one shared-bottom network per task, their logits side by side.</summary>
internal sealed class SingleTaskWriter : IOnnxModelWriter
{
    public Type ModelType => typeof(SingleTask);

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
    {
        var networks = OnnxGraph.Children(ModelGraph.Child(model.TorchModule, "networks"));
        var logits = networks.Select((n, i) => SharedBottomWriter.Logits(graph, (IMultiTaskModel)n, $"networks.{i}.", ids, weights)).ToArray();
        return ModelGraph.Probabilities(graph, ModelGraph.Concat(graph, logits, 1));
    }
}
