using STEM.Recommenders.Evaluation;

namespace STEM.Recommenders.Training;

/// <summary>What a running training reports through <see cref="IProgress{T}"/>.</summary>
public sealed record TrainingProgress
{
    /// <summary>1-based epoch.</summary>
    public required int Epoch { get; init; }

    /// <summary>Maximum epochs.</summary>
    public required int Epochs { get; init; }

    /// <summary>Steps done in this epoch.</summary>
    public required int Step { get; init; }

    /// <summary>Steps per epoch.</summary>
    public required int StepsPerEpoch { get; init; }

    /// <summary>Steps done in total.</summary>
    public required long GlobalStep { get; init; }

    /// <summary>Mean training loss per task since the last report (on the report that follows an evaluation: since the previous evaluation).</summary>
    public required IReadOnlyDictionary<string, double> TaskLosses { get; init; }

    /// <summary>Training rows per second since training started (or resumed).</summary>
    public required double SamplesPerSecond { get; init; }

    /// <summary>The current learning rate.</summary>
    public required double LearningRate { get; init; }

    /// <summary>Time since training started (or resumed).</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>Estimated time to the last epoch's end (early stopping may end sooner).</summary>
    public TimeSpan? EstimatedRemaining { get; init; }

    /// <summary>The validation report, on the progress report that follows an evaluation.</summary>
    public EvaluationReport? Validation { get; init; }

    /// <summary>
    /// The task whose own model is training, when a task-separable model trains one model per task
    /// (<see cref="Models.ITaskSeparableModel"/>); otherwise <see langword="null"/>.
    /// </summary>
    public string? Task { get; init; }

    /// <summary>Sum of the task losses.</summary>
    public double Loss => TaskLosses.Values.Sum();
}
