namespace STEM.Recommenders.Datasets;

/// <summary>Where the KuaiRand files are and how to split and label them.</summary>
public sealed record KuaiRandOptions
{
    /// <summary>The interaction log (e.g. log_standard_*.csv[.gz]).</summary>
    public required string LogPath { get; init; }

    /// <summary>User features (user_features_pure.csv[.gz]); <see langword="null"/> leaves its fields OOV.</summary>
    public string? UserFeaturesPath { get; init; }

    /// <summary>Video features (video_features_basic_pure.csv[.gz]); <see langword="null"/> leaves its fields OOV.</summary>
    public string? VideoFeaturesPath { get; init; }

    /// <summary>
    /// Pretrained user vectors (for example written by <c>stem embed</c>): a table keyed by
    /// <c>user_id</c> whose every other column is one component. They are joined onto the log and
    /// encoded as the dense field <see cref="UserVectorFeatureName"/>; users without a vector get a
    /// zero vector and the missing flag. <see langword="null"/> (the default) adds no such field.
    /// </summary>
    public string? UserVectorsPath { get; init; }

    /// <summary>The feature name of the joined user vectors. Default "user_vector".</summary>
    public string UserVectorFeatureName { get; init; } = "user_vector";

    /// <summary>Give the user vectors task-specific projections in STEM models (default false: shared path only).</summary>
    public bool UserVectorsTaskSpecific { get; init; }

    /// <summary>A separate log for the test split; when set, <see cref="TestDays"/> selects from it (all of it when empty).</summary>
    public string? TestLogPath { get; init; }

    /// <summary>Binary tasks (label columns of the log). Default is_click, long_view, is_like.</summary>
    public IReadOnlyList<string> Tasks { get; init; } = ["is_click", "long_view", "is_like"];

    /// <summary>Training days (yyyyMMdd); <see langword="null"/> means every day before the first validation or test day.</summary>
    public IReadOnlyList<int>? TrainDays { get; init; }

    /// <summary>Validation days. Default 2022-04-30.</summary>
    public IReadOnlyList<int> ValidationDays { get; init; } = [20220430];

    /// <summary>Test days. Default 2022-05-01.</summary>
    public IReadOnlyList<int> TestDays { get; init; } = [20220501];

    /// <summary>Minimum training count for a categorical value to get its own row. Default 2.</summary>
    public int MinCount { get; init; } = 2;

    /// <summary>
    /// Whether fields get task-specific embeddings in STEM models at all (STEM's default). Default
    /// true; false gives every field the shared embedding only, whatever <see cref="TaskSpecificFields"/> says.
    /// </summary>
    public bool TaskSpecificEmbeddings { get; init; } = true;

    /// <summary>
    /// Which fields get task-specific embeddings when <see cref="TaskSpecificEmbeddings"/> is on:
    /// every field (the default) or the user-side ones only (<see cref="KuaiRandPreset.UserSideFields"/>),
    /// the STEM paper's finding that user-side fields carry the task conflict.
    /// </summary>
    public KuaiRandTaskSpecificFields TaskSpecificFields { get; init; } = KuaiRandTaskSpecificFields.All;

    /// <summary>
    /// Encode <c>tag</c> ("20,43") as one categorical token — the cell's whole text — instead of the
    /// default multi-valued field whose ids are mean-pooled. Default false.
    /// </summary>
    public bool TagAsOneToken { get; init; }
}
