using STEM.Recommenders.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training.Weighting;

/// <summary>
/// How per-task losses are combined and back-propagated: the second axis of multi-task learning,
/// independent of the architecture (as in LibMTL). A weighting runs the backward pass itself, since
/// methods such as GradNorm need more than the gradient of a weighted sum.
/// </summary>
public interface ILossWeighting : IDisposable
{
    /// <summary>Name in configuration, e.g. "fixed", "uncertainty", "gradnorm".</summary>
    string Name { get; }

    /// <summary>Learnable parameters (optimised with the model's dense weights); empty when there are none.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Binds the weighting to a model with T tasks; called once before training.</summary>
    void Attach(IMultiTaskModel model);

    /// <summary>
    /// Combines the task losses (and a model's auxiliary loss) and back-propagates.
    /// </summary>
    /// <param name="taskLosses">[T] task losses.</param>
    /// <param name="auxiliaryLoss">A scalar added with weight 1, or <see langword="null"/>.</param>
    /// <returns>The combined loss, detached (0-dim).</returns>
    Tensor Backward(Tensor taskLosses, Tensor? auxiliaryLoss);

    /// <summary>Called after each optimizer step (GradNorm renormalises its weights here).</summary>
    void AfterStep();

    /// <summary>The current task weights (reads tensors back to the host; call at report time only).</summary>
    IReadOnlyList<double> CurrentWeights();

    /// <summary>Writes the weighting's state (learnable values and anything else it keeps).</summary>
    void Save(BinaryWriter writer);

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    void Load(BinaryReader reader);
}
