using System.Text.Json.Serialization;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// A whole experiment in one document (the CLI's experiment.json): data, model, training, loss
/// weighting and runtime, and optionally a search space to tune and named variants to compare. docs/cli.md documents every field; <see cref="ExperimentConfigLoader"/>
/// reads and validates it with messages that name the offending JSON path.
/// </summary>
public sealed record ExperimentConfig
{
    /// <summary>Ignored; lets an editor find docs/experiment.schema.json (<c>"$schema": "..."</c>).</summary>
    [JsonPropertyName("$schema")]
    public string? JsonSchema { get; init; }

    /// <summary>Where the data comes from.</summary>
    public required DataConfig Data { get; init; }

    /// <summary>The model and its options; <c>{"model": "stem-net"}</c> takes the paper's defaults.</summary>
    public ModelOptions Model { get; init; } = new StemNetOptions();

    /// <summary>The training loop.</summary>
    public TrainerOptions Training { get; init; } = new();

    /// <summary>How task losses are combined.</summary>
    public WeightingConfig Weighting { get; init; } = new();

    /// <summary>Device and threads.</summary>
    public RuntimeConfig Runtime { get; init; } = new();

    /// <summary>What <c>stem tune</c> (<see cref="ExperimentTuner"/>) varies, how, and how many trials; none by default.</summary>
    public SearchConfig? Search { get; init; }

    /// <summary>Named ablations that <c>stem compare --variants</c> runs as rows of their own; none by default.</summary>
    public IReadOnlyList<VariantConfig>? Variants { get; init; }
}
