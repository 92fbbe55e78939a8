namespace STEM.Recommenders.Serving;

/// <summary>What an artifact says about itself (artifact.json), read before any weight is loaded.</summary>
public sealed record ArtifactMetadata
{
    /// <summary>The artifact format version this library writes.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Format version of the artifact.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>Version of STEM.Recommenders that wrote it.</summary>
    public required string LibraryVersion { get; init; }

    /// <summary>The model's catalog name, e.g. "stem-net".</summary>
    public required string ModelName { get; init; }

    /// <summary>Task names, in output order.</summary>
    public required IReadOnlyList<string> TaskNames { get; init; }

    /// <summary>When it was written (UTC).</summary>
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>Every weight's name and shape, checked against the rebuilt model before loading.</summary>
    public required IReadOnlyDictionary<string, long[]> Weights { get; init; }

    /// <summary>
    /// The size in bytes of each other file of the artifact (model.json, pipeline.json, weights.bin).
    /// A loader reads no file beyond its size here (plus a small margin), so that a zip entry
    /// cannot inflate without bound. Absent in artifacts written before it existed: the loader then
    /// bounds weights.bin by <see cref="Weights"/> and the JSON files by fixed limits.
    /// </summary>
    public IReadOnlyDictionary<string, long>? Files { get; init; }

    /// <summary>
    /// With per-task model selection (<see cref="Models.PerTaskSelectedModel"/>): for each task, the
    /// index K of the copy of the model (weights "members.K.*") that predicts it. Absent for a plain model.
    /// </summary>
    public IReadOnlyList<int>? TaskMembers { get; init; }

    /// <summary>Metrics the model was trained to (e.g. "validation/is_click/auc"), if any.</summary>
    public IReadOnlyDictionary<string, double>? Metrics { get; init; }
}
