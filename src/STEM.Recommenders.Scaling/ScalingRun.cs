namespace STEM.Recommenders.Scaling;

/// <summary>
/// One pretraining run of a scaling study: its size, budget and held-out result. Runs are written by
/// the trainer and read back by the analysis, so every field is plain data.
/// </summary>
public sealed record ScalingRun
{
    /// <summary>A unique name of the run, e.g. <c>compute-w64-l2-s1</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The data the run trained on, e.g. <c>kuairand</c> or <c>synthetic</c>; fits never mix series.</summary>
    public string Series { get; init; } = "";

    /// <summary>The grid the run belongs to: <c>compute</c>, <c>data</c>, <c>parameters</c>, <c>batch</c> or <c>sequence</c>.</summary>
    public string Axis { get; init; } = "";

    /// <summary>The random seed of the run; runs that differ only in seed are repeats.</summary>
    public int Seed { get; init; }

    /// <summary>All trainable parameters, embeddings included.</summary>
    public long Parameters { get; init; }

    /// <summary>Trainable parameters without the embedding tables (Kaplan et al.'s N).</summary>
    public long NonEmbeddingParameters { get; init; }

    /// <summary>Training compute in FLOPs, about 6 · N_non-embedding · tokens.</summary>
    public double Compute { get; init; }

    /// <summary>Tokens processed during training.</summary>
    public long Tokens { get; init; }

    /// <summary>Users in the training set (the data size).</summary>
    public long TrainingUsers { get; init; }

    /// <summary>Training batch size (users per contrastive batch).</summary>
    public int BatchSize { get; init; }

    /// <summary>Maximum user sequence length.</summary>
    public int SequenceLength { get; init; }

    /// <summary>Model width (hidden size).</summary>
    public int Width { get; init; }

    /// <summary>Transformer layers.</summary>
    public int Layers { get; init; }

    /// <summary>Optimizer steps taken.</summary>
    public long Steps { get; init; }

    /// <summary>Wall-clock training time in seconds.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Held-out InfoNCE loss at the study's fixed evaluation batch size (it is bounded by log B, so only equal B compare).</summary>
    public double Loss { get; init; }

    /// <summary>Held-out top-1 retrieval accuracy (the positive ranked first in the evaluation batch).</summary>
    public double Top1 { get; init; }

    /// <summary>Held-out top-10 retrieval accuracy.</summary>
    public double Top10 { get; init; }
}
