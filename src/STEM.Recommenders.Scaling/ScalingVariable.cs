namespace STEM.Recommenders.Scaling;

/// <summary>A numeric property of a <see cref="ScalingRun"/> to plot against or group by.</summary>
public enum ScalingVariable
{
    /// <summary>Training compute in FLOPs.</summary>
    Compute,

    /// <summary>Users in the training set.</summary>
    TrainingUsers,

    /// <summary>All parameters.</summary>
    Parameters,

    /// <summary>Non-embedding parameters.</summary>
    NonEmbeddingParameters,

    /// <summary>Training batch size.</summary>
    BatchSize,

    /// <summary>Maximum sequence length.</summary>
    SequenceLength,

    /// <summary>Tokens processed.</summary>
    Tokens,
}
