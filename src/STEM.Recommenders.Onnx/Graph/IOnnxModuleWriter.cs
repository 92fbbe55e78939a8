using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Graph;

/// <summary>Writes the inference-time forward pass of one TorchSharp module type as ONNX nodes.</summary>
public interface IOnnxModuleWriter
{
    /// <summary>The module type written (exactly; subclasses need their own writer).</summary>
    Type ModuleType { get; }

    /// <summary>Appends the module's forward pass (eval mode) to the graph.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="torchModule">The module, of <see cref="ModuleType"/>.</param>
    /// <param name="path">Its state-dict path (prefix of its initializers' names).</param>
    /// <param name="inputs">Names of its inputs, in the order of its forward's parameters.</param>
    /// <returns>Names of its outputs, in the order of its forward's results.</returns>
    IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs);
}
