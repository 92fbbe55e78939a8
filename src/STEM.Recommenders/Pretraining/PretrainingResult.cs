namespace STEM.Recommenders.Pretraining;

/// <summary>What a pretraining run did.</summary>
public sealed record PretrainingResult
{
    /// <summary>Every evaluation, in order.</summary>
    public required IReadOnlyList<PretrainingEvaluation> History { get; init; }

    /// <summary>The evaluation with the lowest held-out loss, or <see langword="null"/> when none ran.</summary>
    public PretrainingEvaluation? Best { get; init; }

    /// <summary>Whether early stopping ended the run.</summary>
    public bool StoppedEarly { get; init; }

    /// <summary>Whether <see cref="PretrainingOptions.MaxSteps"/> ended the run.</summary>
    public bool ReachedMaxSteps { get; init; }

    /// <summary>Steps taken in total.</summary>
    public long GlobalSteps { get; init; }

    /// <summary>User pairs trained on in this run (steps × batch size).</summary>
    public long PairsSeen { get; init; }

    /// <summary>Real items and tokens the encoder read in training in this run (for compute estimates).</summary>
    public long ItemsSeen { get; init; }

    /// <summary>Real tokens the encoder read in training in this run.</summary>
    public long TokensSeen { get; init; }

    /// <summary>Wall time of the run.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Training pairs per second (evaluation time excluded).</summary>
    public double PairsPerSecond { get; init; }
}

/// <summary>One evaluation on the held-out users.</summary>
/// <param name="Epoch">Epoch (1-based).</param>
/// <param name="GlobalStep">Steps taken.</param>
/// <param name="TrainLoss">Mean training loss since the previous evaluation.</param>
/// <param name="Validation">Held-out metrics.</param>
/// <param name="Temperature">The loss's temperature at this point.</param>
/// <param name="Improved">Whether the held-out loss was the lowest so far.</param>
public sealed record PretrainingEvaluation(int Epoch, long GlobalStep, double TrainLoss, PretextMetrics Validation, double Temperature, bool Improved);
