namespace STEM.Recommenders.Modules;

/// <summary>How an <see cref="ExpertPool"/> runs its experts' matrix products.</summary>
public enum ExpertExecution
{
    /// <summary>
    /// One batched product (bmm) per layer for all experts, after gathering each expert's input
    /// view into one [N, B, in] tensor. Fewest native calls: best for small experts and on GPUs.
    /// Default.
    /// </summary>
    Batched,

    /// <summary>
    /// One matrix product per expert and layer, each expert reading its view in place (no gather);
    /// the outputs are stacked once at the end. On some CPUs LibTorch runs large separate GEMMs
    /// faster than its batched product (docs/performance.md). Not with batch norm.
    /// </summary>
    Separate,
}
