using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Writers.Modules;

/// <summary>A single MLP: its blocks, then the optional output Linear.</summary>
internal sealed class MlpWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(Mlp);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var x = inputs[0];
        var blocks = OnnxGraph.Children(OnnxGraph.Child(torchModule, "blocks"));
        for (var i = 0; i < blocks.Count; i++)
        {
            x = graph.Module(blocks[i], $"{path}.blocks.{i}", x)[0];
        }

        var output = torchModule.named_children().FirstOrDefault(c => c.name == "output").module;
        return output is null ? [x] : graph.Module(output, $"{path}.output", x);
    }
}

/// <summary>One MLP layer: Linear → [BatchNorm1d] → activation (dropout is the identity at inference).</summary>
internal sealed class MlpBlockWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(MlpBlock);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var block = (MlpBlock)torchModule;
        var x = graph.Module(block.Linear, $"{path}.linear", inputs[0])[0];
        if (block.Norm is { } norm)
        {
            x = graph.Module(norm, $"{path}.norm", x)[0];
        }

        return [ActivationWriter.Write(graph, block.Activation, x)];
    }
}

/// <summary>BatchNorm1d in eval mode over [B, C]: (x − running mean) / √(running var + ε) · γ + β.</summary>
internal sealed class BatchNorm1dWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(BatchNorm1d);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var state = torchModule.state_dict();
        var eps = (float)((BatchNorm1d)torchModule).eps;
        var std = graph.Op("Sqrt", graph.Op("Add", graph.Weight($"{path}.running_var", state["running_var"]), graph.Scalar(eps)));
        var x = graph.Op("Div", graph.Op("Sub", inputs[0], graph.Weight($"{path}.running_mean", state["running_mean"])), std);
        if (state.TryGetValue("weight", out var weight))
        {
            x = graph.Op("Mul", x, graph.Weight($"{path}.weight", weight));
        }

        return [state.TryGetValue("bias", out var bias) ? graph.Op("Add", x, graph.Weight($"{path}.bias", bias)) : x];
    }
}
