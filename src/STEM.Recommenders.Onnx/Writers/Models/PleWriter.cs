using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;
using STEM.Recommenders.Onnx.Writers.Modules;

namespace STEM.Recommenders.Onnx.Writers.Models;

/// <summary>
/// PLE and ME-PLE: CGC levels. Task t's gate weighs its own and the shared experts; the weights are
/// spread over all experts by a constant one-hot [T, K, E] product (the scatter of PleLevelStack);
/// between levels the shared gate mixes every expert for the shared path.
/// </summary>
internal sealed class PleWriter(Type modelType) : IOnnxModelWriter
{
    public Type ModelType => modelType;

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
    {
        var net = ModelGraph.Child(model.TorchModule, "net");
        var t = model.TaskNames.Count;
        var owners = model.ExpertOwners ?? throw new NotSupportedException($"{model.ModelName} reports no expert owners");
        var e = owners.Count;
        var embedding = (EmbeddingBank)ModelGraph.Child(net, "embedding");
        var views = graph.Module(embedding, "net.embedding", ModelGraph.EmbeddingInputs(ids, weights))[0];
        if (embedding.ViewCount == 1)
        {
            views = graph.Op("Expand", views, graph.Longs(t + 1, 1, 1));
        }

        // Task t chooses among its own experts then the shared ones, in expert order.
        var chosen = Enumerable.Range(0, t).Select(task => Enumerable.Range(0, e).Where(x => owners[x] == task || owners[x] == -1).ToArray()).ToArray();
        var k = chosen[0].Length;
        var spread = new float[t * k * e];
        for (var task = 0; task < t; task++)
        {
            for (var j = 0; j < k; j++)
            {
                spread[(((task * k) + j) * e) + chosen[task][j]] = 1f;
            }
        }

        var spreadMatrix = graph.Constant(spread, t, k, e);
        var experts = OnnxGraph.Children(ModelGraph.Child(net, "experts"));
        var taskGates = OnnxGraph.Children(ModelGraph.Child(net, "task_gates"));
        var sharedGates = OnnxGraph.Children(ModelGraph.Child(net, "shared_gates"));
        for (var l = 0; l < experts.Count; l++)
        {
            var outputs = graph.Module(experts[l], $"net.experts.{l}", views)[0];
            var taskViews = graph.Op("Slice", views, graph.Longs(0), graph.Longs(t), graph.Longs(0));
            var taskWeights = ModelGraph.Softmax(graph, graph.Module(taskGates[l], $"net.task_gates.{l}", taskViews)[0]);
            var mixed = Mixture.Write(graph, graph.Op("MatMul", taskWeights, spreadMatrix), outputs);
            if (l < sharedGates.Count)
            {
                var sharedWeights = ModelGraph.Softmax(graph, graph.Module(sharedGates[l], $"net.shared_gates.{l}", ModelGraph.Select(graph, views, t))[0]);
                mixed = ModelGraph.Concat(graph, [mixed, Mixture.Write(graph, sharedWeights, outputs)], 0);
            }

            views = mixed;
        }

        return ModelGraph.Probabilities(graph, graph.Module(ModelGraph.Child(net, "towers"), "net.towers", views)[0]);
    }
}
