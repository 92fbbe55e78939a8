using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Writers.Modules;

/// <summary>
/// N stacked MLPs: per layer a broadcast MatMul with the [N, in, out] weight plus the [N, 1, out]
/// bias, then (hidden layers) eval-mode batch norm and the activation. Dropout is the identity at
/// inference. Mixed precision is exported in float32.
/// </summary>
internal sealed class StackedMlpWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(StackedMlp);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var mlp = (StackedMlp)torchModule;
        var state = mlp.state_dict();
        var options = mlp.Options;
        var hidden = options.HiddenUnits.Count;
        var x = inputs[0];
        for (var l = 0; l < mlp.LayerCount; l++)
        {
            x = graph.Op("Add", graph.Op("MatMul", x, graph.Weight($"{path}.weights.{l}", state[$"weights.{l}"])), graph.Weight($"{path}.biases.{l}", state[$"biases.{l}"]));
            if (l < hidden)
            {
                if (options.BatchNorm)
                {
                    // (x − running mean) / √(running var + ε) · γ + β, as StackedMlp's eval branch.
                    var std = graph.Op("Sqrt", graph.Op("Add", graph.Weight($"{path}.running_var_{l}", state[$"running_var_{l}"]), graph.Scalar(1e-5f)));
                    var normalised = graph.Op("Div", graph.Op("Sub", x, graph.Weight($"{path}.running_mean_{l}", state[$"running_mean_{l}"])), std);
                    x = graph.Op("Add", graph.Op("Mul", normalised, graph.Weight($"{path}.norm_weights.{l}", state[$"norm_weights.{l}"])), graph.Weight($"{path}.norm_biases.{l}", state[$"norm_biases.{l}"]));
                }

                x = ActivationWriter.Write(graph, options.Activation, x);
            }
        }

        return [x];
    }
}
