using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Writers.Modules;

/// <summary>T towers to one logit each: [T, B, 1] → [B, T] logits.</summary>
internal sealed class TaskTowerWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(TaskTower);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var towers = graph.Module(((TaskTower)torchModule).Towers, $"{path}.towers", inputs[0])[0];
        var squeezed = graph.Op("Squeeze", towers, graph.Longs(-1));
        return [graph.Op("Transpose", [squeezed], new Dictionary<string, object> { ["perm"] = new long[] { 1, 0 } })];
    }
}
