using STEM.Recommenders.Modules;
using TorchSharp.Modules;

namespace STEM.Recommenders.Models;

/// <summary>One linear layer of a model: N matrices of [in, out], each applied to every sample.</summary>
/// <param name="Module">The module's path in the model, e.g. "net.experts0.experts".</param>
/// <param name="Layer">The layer's index inside the module.</param>
/// <param name="Matrices">N: the experts, gates or towers stacked in the layer (1 for a <see cref="Linear"/>).</param>
/// <param name="InputWidth">in.</param>
/// <param name="OutputWidth">out.</param>
/// <param name="IsExpert">Whether the layer belongs to an <see cref="ExpertPool"/>.</param>
public sealed record LinearLayerWork(string Module, int Layer, int Matrices, int InputWidth, int OutputWidth, bool IsExpert)
{
    /// <summary>Forward FLOP per sample: 2 · N · in · out.</summary>
    public double ForwardPerSample => 2.0 * Matrices * InputWidth * OutputWidth;
}
