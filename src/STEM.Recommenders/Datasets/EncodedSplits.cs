using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Datasets;

/// <summary>Encoded splits and the pipeline that encoded them.</summary>
/// <param name="Pipeline">Fitted on the training split.</param>
/// <param name="Train">Training split.</param>
/// <param name="Validation">Validation split.</param>
/// <param name="Test">Test split.</param>
public sealed record EncodedSplits(FeaturePipeline Pipeline, EncodedDataset Train, EncodedDataset Validation, EncodedDataset Test) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
