using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Writers.Modules;

/// <summary>A pool of experts: each expert's view gathered from [V, B, in], then the stacked MLPs.</summary>
internal sealed class ExpertPoolWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(ExpertPool);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var pool = (ExpertPool)torchModule;
        var x = inputs[0];
        if (pool.InputViews is { } views)
        {
            x = graph.Op("Gather", [x, graph.Longs(views.Select(v => (long)v).ToArray())], new Dictionary<string, object> { ["axis"] = 0L });
        }

        return graph.Module(pool.Experts, $"{path}.experts", x);
    }
}
