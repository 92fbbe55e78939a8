using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>What a multi-task model returns for a batch.</summary>
/// <param name="Logits">[B, T] logits; sigmoid gives each task's probability.</param>
public sealed record MultiTaskOutput(Tensor Logits)
{
    /// <summary>
    /// Gate weights of the last gated layer, [G, B, E] (task gates first), for diagnostics; or
    /// <see langword="null"/> for models without gates.
    /// </summary>
    public Tensor? GateWeights { get; init; }

    /// <summary>Per-task probabilities, sigmoid of <see cref="Logits"/>.</summary>
    public Tensor Probabilities() => Logits.sigmoid();
}
