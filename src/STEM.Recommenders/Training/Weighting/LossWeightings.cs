namespace STEM.Recommenders.Training.Weighting;

/// <summary>Creates loss weightings by name.</summary>
public static class LossWeightings
{
    /// <summary>The built-in names.</summary>
    public static IReadOnlyList<string> Names { get; } = ["fixed", "uncertainty", "gradnorm"];

    /// <summary>Creates a weighting by name ("fixed" takes optional per-task weights; "gradnorm" takes α).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ILossWeighting Create(string name, IReadOnlyList<double>? fixedWeights = null, double gradNormAlpha = 1.5)
    {
        ArgumentNullException.ThrowIfNull(name);
        return name.Trim().ToLowerInvariant() switch
        {
            "fixed" => new FixedWeighting(fixedWeights),
            "uncertainty" => new UncertaintyWeighting(),
            "gradnorm" => new GradNormWeighting(gradNormAlpha),
            _ => throw new ArgumentException($"Unknown loss weighting '{name}'; known: {string.Join(", ", Names)}.", nameof(name)),
        };
    }
}
