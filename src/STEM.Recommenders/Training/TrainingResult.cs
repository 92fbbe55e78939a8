using STEM.Recommenders.Evaluation;

namespace STEM.Recommenders.Training;

/// <summary>One evaluation during training.</summary>
/// <param name="Epoch">1-based epoch.</param>
/// <param name="GlobalStep">Steps done when evaluated.</param>
/// <param name="TrainLosses">Mean training loss per task since the previous evaluation.</param>
/// <param name="Validation">Validation metrics.</param>
/// <param name="MonitorValue">The monitored value.</param>
/// <param name="LearningRate">Learning rate used before this evaluation.</param>
/// <param name="Improved">Whether this evaluation became the best.</param>
public sealed record EvaluationRecord(int Epoch, long GlobalStep, IReadOnlyDictionary<string, double> TrainLosses, EvaluationReport Validation, double MonitorValue, double LearningRate, bool Improved);

/// <summary>The outcome of <see cref="Trainer.Fit"/>.</summary>
public sealed record TrainingResult
{
    /// <summary>Every evaluation, in order.</summary>
    public required IReadOnlyList<EvaluationRecord> History { get; init; }

    /// <summary>The best evaluation, or <see langword="null"/> when training stopped before evaluating.</summary>
    public EvaluationRecord? Best { get; init; }

    /// <summary>Whether early stopping ended training.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Whether training stopped at <see cref="TrainerOptions.MaxSteps"/>.</summary>
    public bool ReachedMaxSteps { get; init; }

    /// <summary>Steps done in total.</summary>
    public long GlobalSteps { get; init; }

    /// <summary>Training time of this run (excluding an earlier run it resumed).</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Training rows processed in this run.</summary>
    public long Samples { get; init; }

    /// <summary>
    /// For a model trained as one model per task (<see cref="Models.ITaskSeparableModel"/>), each
    /// task's own result (its history, best evaluation on its own metric, steps); then
    /// <see cref="History"/> is their concatenation in task order (each record's validation holds
    /// that task only) and <see cref="Best"/> is <see langword="null"/>. Otherwise <see langword="null"/>.
    /// </summary>
    public IReadOnlyDictionary<string, TrainingResult>? PerTask { get; init; }

    /// <summary>
    /// With <see cref="TrainerOptions.PerTaskSelection"/>: the model that predicts each task with the
    /// weights of that task's best evaluation (the caller owns and disposes it); otherwise <see langword="null"/>.
    /// </summary>
    public Models.PerTaskSelectedModel? PerTaskModel { get; init; }

    /// <summary>
    /// With <see cref="TrainerOptions.PerTaskSelection"/>: each task's best evaluation on its own
    /// metric (the one <see cref="PerTaskModel"/> predicts it from); otherwise <see langword="null"/>.
    /// </summary>
    public IReadOnlyDictionary<string, EvaluationRecord>? TaskBest { get; init; }

    /// <summary>
    /// With <see cref="TrainerOptions.ExpertExecution"/> = <see cref="ExpertExecutionPolicy.Calibrate"/>:
    /// each expert pool's timings and choice (for a model trained one model per task, see
    /// <see cref="PerTask"/>); otherwise empty.
    /// </summary>
    public IReadOnlyList<ExpertCalibration> ExpertCalibrations { get; init; } = [];

    /// <summary>
    /// For a model built with <see cref="Modules.Precision.Auto"/>: the float32 and bfloat16 timings
    /// and the precision it trained in (for a model trained one model per task, see
    /// <see cref="PerTask"/>); otherwise <see langword="null"/>.
    /// </summary>
    public PrecisionCalibration? PrecisionCalibration { get; init; }

    /// <summary>Training rows per second of this run, excluding evaluation.</summary>
    public double SamplesPerSecond { get; init; }
}
