namespace STEM.Recommenders.Evaluation.Reports;

/// <summary>Everything one training run produced: what was trained, how, and how well.</summary>
public sealed record ModelRunReport
{
    /// <summary>Model catalog name.</summary>
    public required string Model { get; init; }

    /// <summary>The variant's name when the run is a named variant or a tuned winner (reports show it instead of <see cref="Model"/>).</summary>
    public string? Variant { get; init; }

    /// <summary>Seed of the run (model initialisation, data order, dropout).</summary>
    public required long Seed { get; init; }

    /// <summary>Task names.</summary>
    public required IReadOnlyList<string> Tasks { get; init; }

    /// <summary>Validation metrics of the best checkpoint.</summary>
    public required EvaluationReport Validation { get; init; }

    /// <summary>Test metrics of the best checkpoint (computed once, after training); empty for a tuning trial, which never sees the test split.</summary>
    public required EvaluationReport Test { get; init; }

    /// <summary>1-based epoch of the best checkpoint (with <see cref="TaskBestEpochs"/>: the latest of them).</summary>
    public int BestEpoch { get; init; }

    /// <summary>
    /// 1-based epoch of each task's best evaluation on its own metric, when each task's weights were
    /// chosen on their own (a single-task model trained as one model per task); otherwise <see langword="null"/>.
    /// </summary>
    public IReadOnlyDictionary<string, int>? TaskBestEpochs { get; init; }

    /// <summary>Training steps done.</summary>
    public long Steps { get; init; }

    /// <summary>Training rows per second (excluding evaluation).</summary>
    public double SamplesPerSecond { get; init; }

    /// <summary>
    /// How the expert pools ran their products in training ("batched", "separate", and with
    /// <c>training.expertExecution = Calibrate</c> each pool's timings), or <see langword="null"/>
    /// for a model without expert pools.
    /// </summary>
    public string? ExpertExecution { get; init; }

    /// <summary>
    /// The precision the dense layers trained in ("float32", "bfloat16", and with
    /// <c>model.precision = Auto</c> the calibration's timings), or <see langword="null"/> for a model
    /// without MLP stacks.
    /// </summary>
    public string? Precision { get; init; }

    /// <summary>Wall time of training.</summary>
    public TimeSpan TrainingTime { get; init; }

    /// <summary>Dense and embedding parameter counts.</summary>
    public long Parameters { get; init; }

    /// <summary>Gate diagnostics on the test split, for gated models.</summary>
    public GateReport? Gates { get; init; }

    /// <summary>Every evaluation during training, in order; empty for reports written before the history was kept.</summary>
    public IReadOnlyList<TrainingHistoryEntry> History { get; init; } = [];

    /// <summary>Reliability diagram of each task on the test split (best checkpoint); empty for reports written before it was kept.</summary>
    public IReadOnlyList<TaskCalibration> Calibration { get; init; } = [];
}
