using STEM.Recommenders.Data;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Datasets;

/// <summary>A dataset preset's output: the schema and the three raw splits, ready to fit and encode.</summary>
/// <param name="Name">The preset's name.</param>
/// <param name="Schema">The features and tasks.</param>
/// <param name="Train">The training split (encoders are fitted on it alone).</param>
/// <param name="Validation">The validation split (model selection).</param>
/// <param name="Test">The test split (reported, never used to decide).</param>
public sealed record PresetSplits(string Name, FeatureSchema Schema, DataTable Train, DataTable Validation, DataTable Test)
{
    /// <summary>Fits a pipeline on the training split and encodes all three splits with their roles.</summary>
    /// <exception cref="DataFormatException">A split has no rows (a header-only file, days with no rows): a run must never report metrics of nothing.</exception>
    public EncodedSplits Encode(TorchSharp.torch.Device? device = null)
    {
        foreach (var (split, table) in new[] { ("train", Train), ("validation", Validation), ("test", Test) })
        {
            if (table.RowCount == 0)
            {
                throw new DataFormatException(table.Source, $"the {split} split has no rows; check the days or files that select it");
            }
        }

        var pipeline = FeaturePipeline.Fit(Schema, Train);
        return new EncodedSplits(
            pipeline,
            pipeline.Encode(Train, DatasetRole.Train, device),
            pipeline.Encode(Validation, DatasetRole.Validation, device),
            pipeline.Encode(Test, DatasetRole.Test, device));
    }
}
