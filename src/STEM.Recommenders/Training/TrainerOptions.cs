namespace STEM.Recommenders.Training;

/// <summary>Training loop settings; defaults from the STEM paper and reference code (batch 4096, Adam 1e-3, seed 2023).</summary>
public sealed record TrainerOptions
{
    /// <summary>Maximum epochs. Default 10.</summary>
    public int Epochs { get; init; } = 10;

    /// <summary>Rows per training batch. Default 4096.</summary>
    public int BatchSize { get; init; } = 4096;

    /// <summary>The optimizer.</summary>
    public OptimizerOptions Optimizer { get; init; } = new();

    /// <summary>Validation metric for early stopping and the best checkpoint (see <see cref="MonitorMetric"/>). Default "mean_auc".</summary>
    public string Monitor { get; init; } = "mean_auc";

    /// <summary>Stop after this many evaluations without improvement. Default 2.</summary>
    public int Patience { get; init; } = 2;

    /// <summary>Multiply the learning rate by this after an evaluation without improvement. Default 0.1.</summary>
    public double LearningRateDecay { get; init; } = 0.1;

    /// <summary>The learning rate never goes below this. Default 1e-6.</summary>
    public double MinLearningRate { get; init; } = 1e-6;

    /// <summary>Evaluate every N steps; <see langword="null"/> evaluates once per epoch. Default null.</summary>
    public int? EvaluateEverySteps { get; init; }

    /// <summary>Seed of the data order and of dropout. Default 2023.</summary>
    public long Seed { get; init; } = 2023;

    /// <summary>Shuffle the training rows every epoch. Default true.</summary>
    public bool Shuffle { get; init; } = true;

    /// <summary>Write "best" and "last" checkpoints here; <see langword="null"/> keeps the best weights in memory only.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Resume from a "last" checkpoint directory written by an earlier run.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Report progress every N steps. Default 10.</summary>
    public int ProgressEverySteps { get; init; } = 10;

    /// <summary>Rows per validation batch. Default 16384.</summary>
    public int EvaluationBatchSize { get; init; } = 16384;

    /// <summary>Stop (and write the "last" checkpoint) after this many steps in total; for smoke runs.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Load the best validation weights into the model when training ends. Default true.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>
    /// Per-task model selection (default false): keep, for each task, the weights of the evaluation
    /// at which that task's own metric (<see cref="Monitor"/> applied to the task, e.g. "mean_auc" →
    /// "auc:TASK") peaked, and return them as <see cref="TrainingResult.PerTaskModel"/>, which
    /// predicts each task from its own snapshot. Training then goes on while any task improves: the
    /// learning rate decays after an evaluation where no task improved, and training stops after
    /// <see cref="Patience"/> such evaluations in a row. Memory: up to one extra copy of the model's
    /// weights per task (tasks that peak at the same evaluation share one). A model trained as one
    /// model per task (single-task) already selects per task; the option changes nothing there.
    /// Not combinable with <see cref="ResumeFrom"/> (the snapshots are not part of a checkpoint).
    /// </summary>
    public bool PerTaskSelection { get; init; }

    /// <summary>
    /// How each expert pool runs its products during training (default
    /// <see cref="ExpertExecutionPolicy.AsBuilt"/>); <see cref="ExpertExecutionPolicy.Calibrate"/>
    /// times both executions on this machine and keeps the faster (docs/performance.md).
    /// </summary>
    public ExpertExecutionPolicy ExpertExecution { get; init; }

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        static void Require(bool ok, string option, string rule)
        {
            if (!ok)
            {
                throw new ArgumentException($"TrainerOptions.{option} {rule}.", option);
            }
        }

        Require(Epochs >= 1, nameof(Epochs), "must be at least 1");
        Require(BatchSize >= 1, nameof(BatchSize), "must be at least 1");
        Require(Patience >= 1, nameof(Patience), "must be at least 1");
        Require(LearningRateDecay is > 0 and <= 1, nameof(LearningRateDecay), "must be in (0, 1]");
        Require(MinLearningRate >= 0 && double.IsFinite(MinLearningRate), nameof(MinLearningRate), "must be finite and not negative");
        Require(EvaluateEverySteps is null or >= 1, nameof(EvaluateEverySteps), "must be at least 1");
        Require(ProgressEverySteps >= 1, nameof(ProgressEverySteps), "must be at least 1");
        Require(EvaluationBatchSize >= 1, nameof(EvaluationBatchSize), "must be at least 1");
        Require(MaxSteps is null or >= 1, nameof(MaxSteps), "must be at least 1");
        Require(!PerTaskSelection || ResumeFrom is null, nameof(PerTaskSelection), "cannot be combined with ResumeFrom: the per-task snapshots are not part of a checkpoint");
        Require(Enum.IsDefined(ExpertExecution), nameof(ExpertExecution), "must be AsBuilt, Batched, Separate or Calibrate");
        ArgumentNullException.ThrowIfNull(Optimizer);
        Optimizer.Validate();
    }
}
