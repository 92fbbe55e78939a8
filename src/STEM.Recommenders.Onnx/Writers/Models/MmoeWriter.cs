using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Graph;
using STEM.Recommenders.Onnx.Writers.Modules;

namespace STEM.Recommenders.Onnx.Writers.Models;

/// <summary>MMoE: shared embedding → experts; one softmax gate per task → towers.</summary>
internal sealed class MmoeWriter : IOnnxModelWriter
{
    public Type ModelType => typeof(Mmoe);

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
    {
        var m = model.TorchModule;
        var x = ModelGraph.Select(graph, graph.Module(ModelGraph.Child(m, "embedding"), "embedding", ModelGraph.EmbeddingInputs(ids, weights))[0], 0);
        var gateWeights = ModelGraph.Softmax(graph, graph.Module(ModelGraph.Child(m, "gates"), "gates", x)[0]);
        var mixed = Mixture.Write(graph, gateWeights, graph.Module(ModelGraph.Child(m, "experts"), "experts", x)[0]);
        return ModelGraph.Probabilities(graph, graph.Module(ModelGraph.Child(m, "towers"), "towers", mixed)[0]);
    }
}

/// <summary>OMoE: one gate shared by every task mixes the experts; every tower reads the one mixture.</summary>
internal sealed class OmoeWriter : IOnnxModelWriter
{
    public Type ModelType => typeof(Omoe);

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
    {
        var m = model.TorchModule;
        var x = ModelGraph.Select(graph, graph.Module(ModelGraph.Child(m, "embedding"), "embedding", ModelGraph.EmbeddingInputs(ids, weights))[0], 0);
        var gateWeights = ModelGraph.Softmax(graph, graph.Module(ModelGraph.Child(m, "gate"), "gate", x)[0]);
        var mixed = ModelGraph.Select(graph, Mixture.Write(graph, gateWeights, graph.Module(ModelGraph.Child(m, "experts"), "experts", x)[0]), 0);
        return ModelGraph.Probabilities(graph, graph.Module(ModelGraph.Child(m, "towers"), "towers", mixed)[0]);
    }
}
