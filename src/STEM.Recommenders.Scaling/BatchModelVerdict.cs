namespace STEM.Recommenders.Scaling;

/// <summary>
/// The answer of a batch-size × model-size grid to "must batch and model size grow together?".
/// </summary>
/// <param name="Choices">One entry per model size, smallest first.</param>
/// <param name="SmallestBatchSize">The smallest batch size of the grid.</param>
/// <param name="BestBatchGrowsWithModel">Whether the best batch size is non-decreasing in model size.</param>
/// <param name="BiggestBeatsSmallestAtSmallestBatch">Whether the biggest model has a lower loss than the smallest one at the smallest batch size; null when either has no run there.</param>
/// <param name="Summary">A one-line verdict for reports.</param>
public sealed record BatchModelVerdict(
    IReadOnlyList<BatchModelChoice> Choices,
    int SmallestBatchSize,
    bool BestBatchGrowsWithModel,
    bool? BiggestBeatsSmallestAtSmallestBatch,
    string Summary);
