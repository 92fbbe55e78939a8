using System.Text.Json.Serialization;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// A whole experiment in one document (the CLI's experiment.json): data, model, training, loss
/// weighting and runtime. docs/cli.md documents every field; <see cref="ExperimentConfigLoader"/>
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
}

/// <summary>
/// Data: a preset ("kuairand", "census-income", "synthetic") with its files, or a custom schema with
/// train, validation and test files and side tables to join.
/// </summary>
public sealed record DataConfig
{
    /// <summary>A built-in preset, or <see langword="null"/> for a custom <see cref="Schema"/>.</summary>
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

/// <summary>A side table joined by key.</summary>
/// <param name="Path">The side table's file.</param>
/// <param name="Key">The key column in the main table.</param>
/// <param name="SideKey">The key column in the side table (default <paramref name="Key"/>).</param>
public sealed record SideTableConfig(string Path, string Key, string? SideKey = null);

/// <summary>The loss weighting: "fixed" (optional per-task weights), "uncertainty" or "gradnorm" (alpha).</summary>
public sealed record WeightingConfig
{
    /// <summary>Name. Default "fixed".</summary>
    public string Name { get; init; } = "fixed";

    /// <summary>Per-task weights for "fixed"; default 1 each.</summary>
    public IReadOnlyList<double>? Weights { get; init; }

    /// <summary>GradNorm's α. Default 1.5.</summary>
    public double Alpha { get; init; } = 1.5;
}

/// <summary>Where training runs.</summary>
public sealed record RuntimeConfig
{
    /// <summary>cpu, cuda or auto. Default auto.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ComputeDevice>))]
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>CPU threads; default LibTorch's.</summary>
    public int? Threads { get; init; }

    /// <summary>A PyTorch torch/lib directory to take LibTorch (and CUDA) from.</summary>
    public string? LibTorchDirectory { get; init; }
}
