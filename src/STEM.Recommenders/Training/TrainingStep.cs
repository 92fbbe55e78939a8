using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training.Weighting;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// One optimisation step on one batch — forward, per-task losses, the weighting's backward, the
/// optimizer step, zeroed gradients — as the trainer runs it and the training benchmarks measure it.
/// </summary>
/// <remarks>
/// The forward pass runs in its own dispose scope, closed before backward: what the autograd graph
/// saved for backward stays alive through the graph, which frees it node by node as backward
/// passes, while every other forward result (a layer's input view, a concatenation, a product the
/// next op copied) is freed at once. With the whole step in one scope every forward tensor lived
/// until the step ended, so backward's gradients were allocated on top of all of them — the
/// process's peak memory. Python frees them the same way when forward's locals go out of scope.
/// Only the losses and the row-sparse optimizer's recorded lookups leave the forward scope.
/// </remarks>
internal static class TrainingStep
{
    /// <summary>Runs the step; the per-task losses [T] (still attached to the freed graph's leaves) belong to the caller's dispose scope.</summary>
    public static Tensor Run(IMultiTaskModel model, MultiTaskOptimizer optimizer, ILossWeighting weighting, Batch batch)
    {
        Tensor losses;
        Tensor? auxiliary;
        using (NewDisposeScope())
        {
            var output = model.Forward(batch.Features);
            losses = MultiTaskLoss.PerTask(output.Logits, batch.Labels, batch.LabelMask).MoveToOuterDisposeScope();
            auxiliary = model.AuxiliaryLoss(output, batch.Labels, batch.LabelMask)?.MoveToOuterDisposeScope();
            optimizer.SparseEmbeddings?.KeepLookupsBeyondScope();
        }

        weighting.Backward(losses, auxiliary);
        optimizer.Step();
        optimizer.ZeroGrad();
        weighting.AfterStep();
        return losses;
    }
}
