using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Writers.Models;

/// <summary>
/// AITM: towers q_t; for t ≥ 1 the AIT module attends over {relu(transfer(z_(t-1))), q_t} scored by
/// ⟨key(u), query(u)⟩ / √h; one output layer per task. The calibrator is a training loss only.
/// </summary>
internal sealed class AitmWriter : IOnnxModelWriter
{
    public Type ModelType => typeof(Aitm);

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
    {
        var m = model.TorchModule;
        var x = ModelGraph.Select(graph, graph.Module(ModelGraph.Child(m, "embedding"), "embedding", ModelGraph.EmbeddingInputs(ids, weights))[0], 0);
        var towers = ModelGraph.Child(m, "towers");
        var q = graph.Module(towers, "towers", x)[0];
        var h = ((STEM.Recommenders.Modules.StackedMlp)towers).OutputDim;
        var transfers = OnnxGraph.Children(ModelGraph.Child(m, "transfers"));
        var values = OnnxGraph.Children(ModelGraph.Child(m, "values"));
        var keys = OnnxGraph.Children(ModelGraph.Child(m, "keys"));
        var queries = OnnxGraph.Children(ModelGraph.Child(m, "queries"));
        var t = model.TaskNames.Count;
        var z = new string[t];
        z[0] = ModelGraph.Select(graph, q, 0);
        var scale = graph.Scalar((float)Math.Sqrt(h));
        for (var k = 1; k < t; k++)
        {
            var p = graph.Op("Relu", graph.Module(transfers[k - 1], $"transfers.{k - 1}", z[k - 1])[0]);
            var u = ModelGraph.Concat(graph, [Unsqueeze0(graph, p), Unsqueeze0(graph, ModelGraph.Select(graph, q, k))], 0);
            var product = graph.Op("Mul", graph.Module(keys[k - 1], $"keys.{k - 1}", u)[0], graph.Module(queries[k - 1], $"queries.{k - 1}", u)[0]);
            var score = graph.Op("Div", graph.Op("ReduceSum", [product, graph.Longs(-1)], new Dictionary<string, object> { ["keepdims"] = 1L }), scale);
            var attended = graph.Op("Mul", ModelGraph.Softmax(graph, score, 0), graph.Module(values[k - 1], $"values.{k - 1}", u)[0]);
            z[k] = graph.Op("ReduceSum", [attended, graph.Longs(0)], new Dictionary<string, object> { ["keepdims"] = 0L });
        }

        var stacked = ModelGraph.Concat(graph, z.Select(v => Unsqueeze0(graph, v)).ToArray(), 0);
        var logits = graph.Op("Transpose", [graph.Op("Squeeze", graph.Module(ModelGraph.Child(m, "outputs"), "outputs", stacked)[0], graph.Longs(-1))], new Dictionary<string, object> { ["perm"] = new long[] { 1, 0 } });
        return ModelGraph.Probabilities(graph, logits);
    }

    private static string Unsqueeze0(OnnxGraph graph, string x) => graph.Op("Unsqueeze", x, graph.Longs(0));
}
