using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Graph;
using TorchSharp;

namespace STEM.Recommenders.Onnx.Writers.Models;

/// <summary>
/// STEM-Net and ME-MMoE (the same layer stack; only gradients differ): embeddings → per layer
/// experts over their views and the AF-TB gates → towers.
/// </summary>
internal sealed class StemLayerStackWriter(Type modelType) : IOnnxModelWriter
{
    public Type ModelType => modelType;

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
    {
        var net = ModelGraph.Child(model.TorchModule, "net");
        var views = graph.Module(ModelGraph.Child(net, "embedding"), "net.embedding", ModelGraph.EmbeddingInputs(ids, weights))[0];
        var experts = OnnxGraph.Children(ModelGraph.Child(net, "experts"));
        var gates = OnnxGraph.Children(ModelGraph.Child(net, "gates"));
        for (var l = 0; l < experts.Count; l++)
        {
            var outputs = graph.Module(experts[l], $"net.experts.{l}", views)[0];
            views = graph.Module(gates[l], $"net.gates.{l}", views, outputs)[0];
        }

        return ModelGraph.Probabilities(graph, graph.Module(ModelGraph.Child(net, "towers"), "net.towers", views)[0]);
    }
}
