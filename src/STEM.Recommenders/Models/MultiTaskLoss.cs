using STEM.Recommenders.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>Per-task binary cross-entropy that honours label masks.</summary>
public static class MultiTaskLoss
{
    /// <summary>
    /// Mean BCE-with-logits of each task over the rows where its label is observed.
    /// </summary>
    /// <param name="logits">[B, T].</param>
    /// <param name="labels">[B, T] of 0/1.</param>
    /// <param name="mask">[B, T] of 0/1, or <see langword="null"/> when every label is observed.</param>
    /// <returns>[T] task losses (0 for a task with no observed label in the batch).</returns>
    public static Tensor PerTask(Tensor logits, Tensor labels, Tensor? mask)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        var losses = nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction: nn.Reduction.None);
        if (mask is null)
        {
            return losses.mean([0]);
        }

        return (losses * mask).sum([0]) / mask.sum([0]).clamp_min(Scalars.One);
    }
}
