using System.Text.Json;
using STEM.Recommenders.Evaluation;

namespace STEM.Recommenders.Hosting;

/// <summary>One finished trial of <see cref="ExperimentTuner"/>: its overrides and its validation metrics (the test split is never evaluated).</summary>
public sealed record TuningTrial
{
    /// <summary>1-based position in the search sequence (grid order, or the seeded random draw).</summary>
    public required int Number { get; init; }

    /// <summary>The canonical text of the overrides (<see cref="ExperimentOverrides.Key"/>), by which a rerun recognises the trial.</summary>
    public required string Key { get; init; }

    /// <summary>JSON path → value applied to the base experiment.</summary>
    public required IReadOnlyDictionary<string, JsonElement> Overrides { get; init; }

    /// <summary>Model catalog name.</summary>
    public required string Model { get; init; }

    /// <summary>Seed of the training run.</summary>
    public long Seed { get; init; }

    /// <summary>Validation metrics of the trial's best checkpoint.</summary>
    public required EvaluationReport Validation { get; init; }

    /// <summary>The monitored validation value (<see cref="TuningReport.Monitor"/>).</summary>
    public double Score { get; init; }

    /// <summary>1-based epoch of the best checkpoint.</summary>
    public int BestEpoch { get; init; }

    /// <summary>Training steps done.</summary>
    public long Steps { get; init; }

    /// <summary>Wall time of training.</summary>
    public TimeSpan TrainingTime { get; init; }

    /// <summary>Parameter count.</summary>
    public long Parameters { get; init; }

    /// <summary>Whether this invocation took the trial from the directory instead of training it.</summary>
    public bool Reused { get; init; }
}
