using STEM.Recommenders.Features;

namespace STEM.Recommenders.Datasets;

/// <summary>
/// Data: a registered preset (built in: "kuairand", "census-income", "synthetic"; more with
/// <see cref="DatasetPresets.Register"/>) with its files, or a custom schema with train, validation
/// and test files and side tables to join. The experiment file's <c>data</c> section; the preset
/// named by <see cref="Preset"/> validates it and loads from it.
/// </summary>
public sealed record DataConfig
{
    /// <summary>A preset registered in <see cref="DatasetPresets"/> (letter case does not matter), or <see langword="null"/> for a custom <see cref="Schema"/>.</summary>
    public string? Preset { get; init; }

    /// <summary>The training file (KuaiRand: the log, split by day into train/validation/test unless <see cref="Test"/> is given; census: the one file).</summary>
    public string? Train { get; init; }

    /// <summary>A validation file (custom data).</summary>
    public string? Validation { get; init; }

    /// <summary>A test file (custom data; KuaiRand: a separate test log).</summary>
    public string? Test { get; init; }

    /// <summary>KuaiRand user features file.</summary>
    public string? Users { get; init; }

    /// <summary>KuaiRand video features file.</summary>
    public string? Videos { get; init; }

    /// <summary>KuaiRand pretrained user vectors (a table keyed by user_id, e.g. from <c>stem embed</c>), joined as a dense field.</summary>
    public string? UserVectors { get; init; }

    /// <summary>KuaiRand training days (yyyyMMdd); default every day before the validation days.</summary>
    public IReadOnlyList<int>? TrainDays { get; init; }

    /// <summary>KuaiRand validation days; default 20220430.</summary>
    public IReadOnlyList<int>? ValidationDays { get; init; }

    /// <summary>KuaiRand test days; default 20220501.</summary>
    public IReadOnlyList<int>? TestDays { get; init; }

    /// <summary>KuaiRand tasks; default is_click, long_view, is_like.</summary>
    public IReadOnlyList<string>? Tasks { get; init; }

    /// <summary>KuaiRand categorical min-count; default 2.</summary>
    public int? MinCount { get; init; }

    /// <summary>KuaiRand: whether fields get task-specific embeddings in STEM models at all; default true.</summary>
    public bool? TaskSpecificEmbeddings { get; init; }

    /// <summary>KuaiRand: which fields get task-specific embeddings — All (default) or UserSide (user_id and the user features).</summary>
    public KuaiRandTaskSpecificFields? TaskSpecificFields { get; init; }

    /// <summary>KuaiRand: encode tag as one token (the cell's text) instead of a pooled multi-valued field; default false.</summary>
    public bool? TagAsOneToken { get; init; }

    /// <summary>Synthetic rows; default 20,000.</summary>
    public int? Rows { get; init; }

    /// <summary>Synthetic task correlation; default 0.5.</summary>
    public double? Correlation { get; init; }

    /// <summary>Custom data: the features and tasks.</summary>
    public FeatureSchema? Schema { get; init; }

    /// <summary>Custom data: side tables left-joined onto every split, in order.</summary>
    public IReadOnlyList<SideTableConfig>? Joins { get; init; }

    /// <summary>Keep the data resident on the training device. Default true (ignored with <see cref="Cache"/>).</summary>
    public bool Resident { get; init; } = true;

    /// <summary>
    /// An encoded-cache directory: the data is streamed from the files in chunks, encoded once into
    /// on-disk shards there (reused while the schema and the files are unchanged), and training and
    /// evaluation read batches from the shards, so the data never has to fit in memory. KuaiRand and
    /// custom data stream; the default (null) encodes in memory.
    /// </summary>
    public string? Cache { get; init; }

    /// <summary>Rows per streamed chunk and per cache shard with <see cref="Cache"/>; default 65,536.</summary>
    public int? CacheChunkRows { get; init; }
}
