namespace STEM.Recommenders.Evaluation.Reports;

/// <summary>Everything one training run produced: what was trained, how, and how well.</summary>
public sealed record ModelRunReport
{
    /// <summary>Model catalog name.</summary>
    public required string Model { get; init; }

    /// <summary>Seed of the run (model initialisation, data order, dropout).</summary>
    public required long Seed { get; init; }

    /// <summary>Task names.</summary>
    public required IReadOnlyList<string> Tasks { get; init; }

    /// <summary>Validation metrics of the best checkpoint.</summary>
    public required EvaluationReport Validation { get; init; }

    /// <summary>Test metrics of the best checkpoint (computed once, after training).</summary>
    public required EvaluationReport Test { get; init; }

    /// <summary>1-based epoch of the best checkpoint.</summary>
    public int BestEpoch { get; init; }

    /// <summary>Training steps done.</summary>
    public long Steps { get; init; }

    /// <summary>Training rows per second (excluding evaluation).</summary>
    public double SamplesPerSecond { get; init; }

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
