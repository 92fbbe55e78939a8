using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Onnx.Tests;

/// <summary>
/// The bundled KuaiRand sample with a pipeline that uses every transform the ONNX graph expresses
/// (vocabularies, floor-divide and log2 keys, a multi-valued field, standardised, min-max, raw and
/// bucketed numbers, task-specific and shared fields), fitted on the training days; and 1,000 test
/// rows with unseen ids, missing values and awkward multi-valued cells written in.
/// </summary>
public sealed class SampleData : IAsyncLifetime
{
    public FeaturePipeline Pipeline { get; private set; } = null!;

    public DataTable Rows { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var splits = await KuaiRandPreset.LoadAsync(new KuaiRandOptions
        {
            LogPath = TestPaths.Sample("log.csv.gz"),
            UserFeaturesPath = TestPaths.Sample("user_features.csv.gz"),
            VideoFeaturesPath = TestPaths.Sample("video_features.csv.gz"),
        });
        var schema = splits.Schema with
        {
            Features =
            [
                .. splits.Schema.Features,
                new NumericFeature { Name = "duration_std", Column = "video_duration", TaskSpecific = false },
                new NumericFeature { Name = "hour_minmax", Column = "hourmin", Scaling = NumericScaling.MinMax },
                new NumericFeature { Name = "hour_bucket", Column = "hourmin", Buckets = 6, TaskSpecific = false },
                new NumericFeature { Name = "duration_log2", Column = "video_duration", Scaling = NumericScaling.None, Transform = ValueTransform.Log2Bucket(0.001), TaskSpecific = false },
                new MultiValueFeature { Name = "tag_sum", Column = "tag", MaxLength = 4, Pooling = Pooling.Sum, TaskSpecific = false },
            ],
        };
        Pipeline = FeaturePipeline.Fit(schema, splits.Train);
        Rows = Awkward(splits.Test.Select(Enumerable.Range(0, 1000).ToArray()));
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>Unseen ids, missing values, spaces and long lists written into some rows.</summary>
    private static DataTable Awkward(DataTable table)
    {
        var columns = table.ColumnNames.ToDictionary(c => c, c => Enumerable.Range(0, table.RowCount).Select(r => table.Column(c)[r]).ToArray());
        for (var r = 0; r < table.RowCount; r++)
        {
            switch (r % 20)
            {
                case 1: columns["user_id"][r] = null; break;
                case 2: columns["video_id"][r] = "999999999"; break;
                case 3: columns["tag"][r] = null; break;
                case 4: columns["tag"][r] = " 1 , 2,,3,4,5,6 "; break;
                case 5: columns["tag"][r] = "unseen-tag,another"; break;
                case 6: columns["hourmin"][r] = null; break;
                case 7: columns["video_duration"][r] = null; break;
                case 8: columns["hourmin"][r] = "2359"; break;
                case 9: columns["video_duration"][r] = "1e9"; break;
                case 10: columns["tab"][r] = "never-seen"; break;
            }
        }

        return DataTable.FromColumns("sample", columns.Select(kv => new KeyValuePair<string, string?[]>(kv.Key, kv.Value)).ToArray());
    }
}

[CollectionDefinition(Name)]
public sealed class SampleDataGroup : ICollectionFixture<SampleData>
{
    public const string Name = "sample";
}
