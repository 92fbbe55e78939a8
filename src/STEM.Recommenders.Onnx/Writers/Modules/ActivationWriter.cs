using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Writers.Modules;

/// <summary>The library's activations as ONNX operators (GELU exact, as TorchSharp's default).</summary>
internal static class ActivationWriter
{
    private static readonly Dictionary<Activation, Func<OnnxGraph, string, string>> Writers = new()
    {
        [Activation.Relu] = (g, x) => g.Op("Relu", x),
        [Activation.Gelu] = (g, x) => g.Op("Gelu", [x], new Dictionary<string, object> { ["approximate"] = "none" }),
        [Activation.Tanh] = (g, x) => g.Op("Tanh", x),
        [Activation.Sigmoid] = (g, x) => g.Op("Sigmoid", x),
        [Activation.Identity] = (_, x) => x,
    };

    public static string Write(OnnxGraph graph, Activation activation, string x) =>
        Writers.TryGetValue(activation, out var write)
            ? write(graph, x)
            : throw new NotSupportedException($"no ONNX form for activation {activation}");
}
