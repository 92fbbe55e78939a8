using System.Text.Json.Serialization;

namespace STEM.Recommenders.Hosting;

/// <summary>How <see cref="ExperimentTuner"/> walks a search space.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<SearchStrategy>))]
public enum SearchStrategy
{
    /// <summary>Every combination, in a stable order (paths in ordinal order, the last one varying fastest). Default.</summary>
    Grid,

    /// <summary>Combinations drawn without replacement by a seeded generator; the same seed draws the same sequence.</summary>
    Random,
}
