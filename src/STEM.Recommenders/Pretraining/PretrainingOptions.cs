namespace STEM.Recommenders.Pretraining;

/// <summary>
/// The contrastive pretraining loop's settings. Defaults are small-scale choices for this
/// library's data (the CLUE paper does not publish its own): Adam at 1e-3, batch 128 pairs,
/// held-out InfoNCE evaluated at a fixed batch of 128 after every epoch, patience 3.
/// </summary>
public sealed record PretrainingOptions
{
    /// <summary>Maximum epochs over the training users. Default 20.</summary>
    public int Epochs { get; init; } = 20;

    /// <summary>User pairs per training batch: each user's partner is the positive, the other users' partners the negatives. Default 128.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Clip the global gradient norm to this; <see langword="null"/> disables clipping. Default 1.</summary>
    public double? GradientClipNorm { get; init; } = 1.0;

    /// <summary>
    /// Users per evaluation batch. InfoNCE is bounded by log(batch), so held-out losses are only
    /// comparable at one evaluation batch size: keep it fixed across a study. Default 128.
    /// </summary>
    public int EvaluationBatchSize { get; init; } = 128;

    /// <summary>Stop after this many evaluations without a lower held-out loss. Default 3.</summary>
    public int Patience { get; init; } = 3;

    /// <summary>Evaluate every N steps; <see langword="null"/> evaluates once per epoch. Default null.</summary>
    public int? EvaluateEverySteps { get; init; }

    /// <summary>Seed of the user order and of dropout. Default 2023.</summary>
    public long Seed { get; init; } = 2023;

    /// <summary>Write "best" and "last" checkpoints here; <see langword="null"/> keeps the best weights in memory only.</summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Resume from a "last" checkpoint directory written by an earlier run.</summary>
    public string? ResumeFrom { get; init; }

    /// <summary>Stop (and write the "last" checkpoint) after this many steps in total; for smoke runs and compute budgets.</summary>
    public long? MaxSteps { get; init; }

    /// <summary>Report progress every N steps. Default 10.</summary>
    public int ProgressEverySteps { get; init; } = 10;

    /// <summary>Load the weights with the lowest held-out loss into the encoder when training ends. Default true.</summary>
    public bool RestoreBestWeights { get; init; } = true;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        Require(Epochs is >= 1 and <= 100_000, nameof(Epochs), "must be in [1, 100000]");
        Require(BatchSize is >= 2 and <= 1_000_000, nameof(BatchSize), "must be in [2, 1000000] (a contrastive batch needs negatives)");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), "must be a positive finite number");
        Require(GradientClipNorm is null || (double.IsFinite(GradientClipNorm.Value) && GradientClipNorm > 0), nameof(GradientClipNorm), "must be a positive finite number or null");
        Require(EvaluationBatchSize is >= 2 and <= 1_000_000, nameof(EvaluationBatchSize), "must be in [2, 1000000]");
        Require(Patience >= 1, nameof(Patience), "must be at least 1");
        Require(EvaluateEverySteps is null or >= 1, nameof(EvaluateEverySteps), "must be at least 1");
        Require(MaxSteps is null or >= 1, nameof(MaxSteps), "must be at least 1");
        Require(ProgressEverySteps >= 1, nameof(ProgressEverySteps), "must be at least 1");
    }

    private static void Require(bool ok, string option, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"{nameof(PretrainingOptions)}.{option} {rule}.", option);
        }
    }
}
