namespace STEM.Recommenders.Training.Weighting;

/// <summary>
/// The loss weighting of an experiment (its <c>weighting</c> section): a name registered in
/// <see cref="LossWeightings"/> — built in: "fixed" (optional per-task weights), "uncertainty" or
/// "gradnorm" (alpha) — and the settings its factory reads.
/// </summary>
public sealed record WeightingConfig
{
    /// <summary>A name registered in <see cref="LossWeightings"/> (letter case does not matter). Default "fixed".</summary>
    public string Name { get; init; } = "fixed";

    /// <summary>Per-task weights for "fixed"; default 1 each.</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>GradNorm's α. Default 1.5.</summary>
    public double Alpha { get; init; } = 1.5;
}
