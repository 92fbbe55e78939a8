using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Datasets;

/// <summary>The on-disk caches of three splits and the pipeline that encoded them.</summary>
/// <param name="Pipeline">Fitted on the training split.</param>
/// <param name="Train">Training split.</param>
/// <param name="Validation">Validation split.</param>
/// <param name="Test">Test split.</param>
/// <param name="Reused">Whether an existing cache was current and reused (nothing was read or encoded).</param>
/// <param name="FitTime">Time of pass 1 (fitting), or of the reuse check.</param>
/// <param name="EncodeTime">Time of pass 2 (encoding).</param>
public sealed record CachedSplits(FeaturePipeline Pipeline, EncodedCache Train, EncodedCache Validation, EncodedCache Test, bool Reused, TimeSpan FitTime, TimeSpan EncodeTime) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
