using STEM.Recommenders.Data;

namespace STEM.Recommenders.Datasets;

/// <summary>The "kuairand" preset: <see cref="KuaiRandPreset"/> with its options taken from the data section.</summary>
internal sealed class KuaiRandRegistration : IStreamingDatasetPreset
{
    public string Name => KuaiRandPreset.Name;

    public string Description => "KuaiRand short-video logs: the log (train) joined with users and videos, split by day; tasks is_click, long_view, is_like by default.";

    public void Validate(DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(data);
        PresetChecks.RequireTrain(Name, data);
        PresetChecks.RejectUnread(
            $"the {Name} preset",
            data,
            "train", "test", "users", "videos", "userVectors", "trainDays", "validationDays", "testDays", "tasks", "minCount", "taskSpecificEmbeddings", "taskSpecificFields", "tagAsOneToken");
    }

    public IReadOnlyList<string> TaskNames(DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Tasks ?? Defaults.Tasks;
    }

    public string DescribeSource(DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return $"{Name} ({data.Train})";
    }

    public Task<PresetSplits> LoadAsync(DataConfig data, TableReaderRegistry readers, CancellationToken cancellationToken = default) =>
        KuaiRandPreset.LoadAsync(OptionsOf(data), readers, cancellationToken);

    public Task<StreamingSplits> StreamAsync(DataConfig data, TableReaderRegistry readers, int chunkRows, CancellationToken cancellationToken = default) =>
        KuaiRandPreset.StreamAsync(OptionsOf(data), readers, chunkRows, cancellationToken);

    private static KuaiRandOptions OptionsOf(DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var defaults = Defaults with { LogPath = data.Train! };
        return defaults with
            {
                UserFeaturesPath = data.Users,
                VideoFeaturesPath = data.Videos,
                UserVectorsPath = data.UserVectors,
                TestLogPath = data.Test,
                TrainDays = data.TrainDays,
                ValidationDays = data.ValidationDays ?? defaults.ValidationDays,

                // A separate test log is scored whole unless test days are given.
                TestDays = data.TestDays ?? (data.Test is null ? defaults.TestDays : []),
                Tasks = data.Tasks ?? defaults.Tasks,
                MinCount = data.MinCount ?? defaults.MinCount,
                TaskSpecificEmbeddings = data.TaskSpecificEmbeddings ?? defaults.TaskSpecificEmbeddings,
                TaskSpecificFields = data.TaskSpecificFields ?? defaults.TaskSpecificFields,
                TagAsOneToken = data.TagAsOneToken ?? defaults.TagAsOneToken,
            };
    }

    private static KuaiRandOptions Defaults => new() { LogPath = string.Empty };
}
