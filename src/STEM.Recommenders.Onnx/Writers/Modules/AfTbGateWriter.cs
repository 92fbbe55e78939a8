using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Writers.Modules;

/// <summary>
/// STEM's AF-TB gate at inference: the stop-gradient changes gradients only, so the forward pass is
/// the plain mixture Σₑ softmax(gate)ₑ · expertₑ for every task gate (and the shared gate).
/// Outputs: mixed [G, B, h] and the gate weights [G, B, E].
/// </summary>
internal sealed class AfTbGateWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(AfTbGate);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var gate = (AfTbGate)torchModule;
        var (views, experts) = (inputs[0], inputs[1]);
        var t = gate.TaskCount;
        var shared = graph.Op("Gather", [views, graph.Scalar((long)t)], new Dictionary<string, object> { ["axis"] = 0L });
        var taskInputs = graph.Op("Slice", views, graph.Longs(0), graph.Longs(t), graph.Longs(0));
        if (gate.GateInput == GateInput.TaskPlusShared)
        {
            taskInputs = graph.Op("Add", taskInputs, shared);
        }

        var gateInputs = gate.HasSharedGate
            ? graph.Op("Concat", [taskInputs, graph.Op("Unsqueeze", shared, graph.Longs(0))], new Dictionary<string, object> { ["axis"] = 0L })
            : taskInputs;
        var logits = graph.Module(gate.Gates, $"{path}.gates", gateInputs)[0];
        var weights = graph.Op("Softmax", [logits], new Dictionary<string, object> { ["axis"] = -1L });
        return [Mixture.Write(graph, weights, experts), weights];
    }
}

/// <summary>out[g] = Σₑ w[g, :, e] · x[e]: [G, B, E] × [E, B, h] → [G, B, h].</summary>
internal static class Mixture
{
    public static string Write(OnnxGraph graph, string weights, string experts) =>
        graph.Op("Einsum", [weights, experts], new Dictionary<string, object> { ["equation"] = "gbe,ebh->gbh" });
}
