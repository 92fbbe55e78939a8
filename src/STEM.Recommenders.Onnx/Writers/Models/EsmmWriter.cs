using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Writers.Models;

/// <summary>
/// ESMM: towers over the shared embedding; task 0 is pCTR and task t ≥ 1 is pCTR · pCVR_t. The
/// model's logit of the product is logJoint − log(1 − e^logJoint); its probability is e^logJoint,
/// which is what the graph computes (log σ(x) = −softplus(−x)), with the model's clamp at −1e-7.
/// </summary>
internal sealed class EsmmWriter : IOnnxModelWriter
{
    public Type ModelType => typeof(Esmm);

    public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
    {
        var m = model.TorchModule;
        var x = ModelGraph.Select(graph, graph.Module(ModelGraph.Child(m, "embedding"), "embedding", ModelGraph.EmbeddingInputs(ids, weights))[0], 0);
        var raw = graph.Module(ModelGraph.Child(m, "towers"), "towers", x)[0];
        var t = model.TaskNames.Count;
        if (t == 1)
        {
            return ModelGraph.Probabilities(graph, raw);
        }

        var entry = graph.Op("Slice", raw, graph.Longs(0), graph.Longs(1), graph.Longs(1));
        var rest = graph.Op("Slice", raw, graph.Longs(1), graph.Longs(t), graph.Longs(1));
        var logJoint = graph.Op("Min", graph.Op("Add", LogSigmoid(graph, entry), LogSigmoid(graph, rest)), graph.Scalar(-1e-7f));
        return ModelGraph.Concat(graph, [graph.Op("Sigmoid", entry), graph.Op("Exp", logJoint)], 1);
    }

    private static string LogSigmoid(OnnxGraph graph, string x) => graph.Op("Neg", graph.Op("Softplus", graph.Op("Neg", x)));
}
