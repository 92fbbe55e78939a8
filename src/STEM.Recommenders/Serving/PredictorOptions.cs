namespace STEM.Recommenders.Serving;

/// <summary>How a <see cref="Predictor"/> scores.</summary>
public sealed record PredictorOptions
{
    /// <summary>Rows per inference batch for large requests. Default 8192.</summary>
    public int BatchSize { get; init; } = 8192;
}
