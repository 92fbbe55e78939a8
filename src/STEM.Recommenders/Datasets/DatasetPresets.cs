namespace STEM.Recommenders.Datasets;

/// <summary>The names of the built-in dataset presets, and a check that gives a clear error for any other.</summary>
public static class DatasetPresets
{
    /// <summary>Every built-in preset name.</summary>
    public static IReadOnlyList<string> Names { get; } = [KuaiRandPreset.Name, CensusIncomePreset.Name, SyntheticMultiTaskGenerator.Name];

    /// <summary>Returns the canonical name of a preset (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the known ones.</exception>
    public static string Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Names.FirstOrDefault(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown dataset preset '{name}'; known presets: {string.Join(", ", Names)}.", nameof(name));
    }
}
