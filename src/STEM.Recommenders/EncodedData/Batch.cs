using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.EncodedData;

/// <summary>
/// A model's input for a batch of rows: global ids [B, S] and, when the layout needs them, slot
/// weights [B, S] (numeric values, pooling weights, padding zeros).
/// </summary>
/// <param name="Ids">int64 [B, S] global ids.</param>
/// <param name="SlotWeights">float32 [B, S], or <see langword="null"/> when every weight is 1.</param>
public sealed record FeatureBatch(Tensor Ids, Tensor? SlotWeights)
{
    /// <summary>Number of rows.</summary>
    public long Size => Ids.shape[0];
}

/// <summary>
/// One batch of an <see cref="EncodedDataset"/>: features, labels [B, T], label mask [B, T] (1 where
/// the label is observed) and group ids [B] (-1 where unknown). Its tensors belong to the dispose
/// scope that was current when it was taken.
/// </summary>
public sealed record Batch(FeatureBatch Features, Tensor Labels, Tensor? LabelMask, Tensor? GroupIds)
{
    /// <summary>Number of rows.</summary>
    public long Size => Features.Size;
}
