namespace STEM.Recommenders.Scaling;

/// <summary>For one model size of a batch × model grid, the batch size with the lowest loss.</summary>
/// <param name="NonEmbeddingParameters">The model size.</param>
/// <param name="BestBatchSize">The batch size at which this model reached its lowest mean loss.</param>
/// <param name="Loss">That loss (mean over seeds).</param>
/// <param name="LossAtSmallestBatch">The model's mean loss at the grid's smallest batch size, or null when it has no run there.</param>
public sealed record BatchModelChoice(long NonEmbeddingParameters, int BestBatchSize, double Loss, double? LossAtSmallestBatch);
