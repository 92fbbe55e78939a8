namespace STEM.Recommenders.Pretraining;

/// <summary>Reported every few steps and after every evaluation.</summary>
public sealed record PretrainingProgress
{
    /// <summary>Current epoch (1-based).</summary>
    public int Epoch { get; init; }

    /// <summary>Maximum epochs.</summary>
    public int Epochs { get; init; }

    /// <summary>Steps taken since the start (including a resumed run's earlier steps).</summary>
    public long GlobalStep { get; init; }

    /// <summary>Steps per epoch.</summary>
    public int StepsPerEpoch { get; init; }

    /// <summary>Mean training loss since the previous report.</summary>
    public double TrainLoss { get; init; }

    /// <summary>Current temperature of the contrastive loss.</summary>
    public double Temperature { get; init; }

    /// <summary>Training user pairs per second in this run.</summary>
    public double PairsPerSecond { get; init; }

    /// <summary>Wall time since the run started.</summary>
    public TimeSpan Elapsed { get; init; }

    /// <summary>The held-out metrics when this report follows an evaluation.</summary>
    public PretextMetrics? Validation { get; init; }
}
