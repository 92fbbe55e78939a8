namespace STEM.Recommenders.Scaling;

/// <summary>A fitted law with what it was fitted to, for reports.</summary>
/// <param name="Label">What was fitted, e.g. <c>loss vs compute (kuairand)</c>.</param>
/// <param name="Fit">The fitted law.</param>
/// <param name="Interval">The bootstrap interval for α, or null when none was computed.</param>
public sealed record ScalingFitResult(string Label, PowerLawFit Fit, AlphaInterval? Interval);
