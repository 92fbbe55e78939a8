using STEM.Recommenders.Onnx.Graph;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Writers.Modules;

/// <summary>A TorchSharp Linear: x · Wᵀ + b (the weight is stored transposed, [in, out]).</summary>
internal sealed class LinearWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(Linear);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var linear = (Linear)torchModule;
        using var scope = NewDisposeScope();
        var y = graph.Op("MatMul", inputs[0], graph.Weight($"{path}.weight", linear.weight!.t()));
        return [linear.bias is null ? y : graph.Op("Add", y, graph.Weight($"{path}.bias", linear.bias))];
    }
}
