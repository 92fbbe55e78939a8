using System.Text.Json;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// The <c>search</c> section of an experiment file: the options <c>stem tune</c> varies, each a JSON
/// path into the experiment document (<c>"model.sharedExperts"</c>,
/// <c>"training.optimizer.learningRate"</c>, <c>"weighting.name"</c>) with the values to try. Paths
/// are applied to the document, which the loader then reads as usual, so every option of every
/// model, registered ones included, can be tuned, and a misspelled path is refused by name.
/// </summary>
public sealed record SearchConfig
{
    /// <summary>JSON path (from the document's root, dot-separated, camelCase) → values to try.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<JsonElement>> Space { get; init; } = new Dictionary<string, IReadOnlyList<JsonElement>>();

    /// <summary>Grid (default) or seeded random search.</summary>
    public SearchStrategy Strategy { get; init; } = SearchStrategy.Grid;

    /// <summary>The trial budget: at most this many trials; <see langword="null"/> is the whole grid.</summary>
    public int? Trials { get; init; }

    /// <summary>Seed of random search. Default 2023.</summary>
    public long Seed { get; init; } = 2023;

    /// <summary>
    /// The validation metric that picks the winner ("mean_auc", "auc:TASK", ... as
    /// <c>training.monitor</c>); <see langword="null"/> takes <c>training.monitor</c>. The test split is never used.
    /// </summary>
    public string? Monitor { get; init; }
}
