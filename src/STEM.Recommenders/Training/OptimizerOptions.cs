using System.Text.Json.Serialization;

namespace STEM.Recommenders.Training;

/// <summary>How embedding tables are updated.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<EmbeddingUpdate>))]
public enum EmbeddingUpdate
{
    /// <summary>
    /// Lazy Adam on the rows a batch looked up; other rows and their moments are untouched. Much
    /// faster on large tables. Default.
    /// </summary>
    RowSparse,

    /// <summary>Dense Adam on whole tables, as PyTorch's Adam does (every row moves every step).</summary>
    Dense,
}

/// <summary>Adam with two parameter groups (embeddings and dense weights), L2 and gradient clipping; defaults from the STEM reference code.</summary>
public sealed record OptimizerOptions
{
    /// <summary>Learning rate. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Adam β₁. Default 0.9.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Adam β₂. Default 0.999.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Adam ε. Default 1e-8.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>
    /// L2 factor λ on embeddings: the gradient of (λ/2)·‖W‖² is added before clipping, on the rows a
    /// batch looked up (row-sparse) or on whole tables (dense, as the reference). Default 1e-6.
    /// </summary>
    public double EmbeddingL2 { get; init; } = 1e-6;

    /// <summary>L2 factor on dense weights. Default 0.</summary>
    public double DenseL2 { get; init; }

    /// <summary>Clip the global gradient norm to this value; <see langword="null"/> disables clipping. Default 10.</summary>
    public double? GradientClipNorm { get; init; } = 10;

    /// <summary>How embedding tables are updated. Default row-sparse.</summary>
    public EmbeddingUpdate EmbeddingUpdate { get; init; } = EmbeddingUpdate.RowSparse;

    /// <summary>Checks the values.</summary>
    public void Validate()
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            throw new ArgumentException("OptimizerOptions.LearningRate must be positive and finite.", nameof(LearningRate));
        }

        if (!(Beta1 is >= 0 and < 1) || !(Beta2 is >= 0 and < 1))
        {
            throw new ArgumentException("OptimizerOptions.Beta1 and Beta2 must be in [0, 1).", nameof(Beta1));
        }

        if (!(Epsilon > 0) || !double.IsFinite(Epsilon) || !(EmbeddingL2 >= 0) || !double.IsFinite(EmbeddingL2) || !(DenseL2 >= 0) || !double.IsFinite(DenseL2))
        {
            throw new ArgumentException("OptimizerOptions.Epsilon must be positive and the L2 factors non-negative, all finite.", nameof(Epsilon));
        }

        if (GradientClipNorm is { } clip && (!(clip > 0) || !double.IsFinite(clip)))
        {
            throw new ArgumentException("OptimizerOptions.GradientClipNorm must be positive and finite (null disables clipping).", nameof(GradientClipNorm));
        }
    }
}
