using STEM.Recommenders.Data;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Datasets;

/// <summary>
/// KuaiRand (Kuaishou short-video logs): log ⋈ user features ⋈ video features, 36 categorical
/// fields, tasks is_click / long_view / is_like by default, split by date.
/// </summary>
public static class KuaiRandPreset
{
    /// <summary>The preset's name in configuration and on the command line.</summary>
    public const string Name = "kuairand";

    /// <summary>Columns read from the log for features.</summary>
    public static IReadOnlyList<string> LogFeatureColumns { get; } = ["user_id", "video_id", "tab", "hourmin"];

    /// <summary>Columns read from the user features file.</summary>
    public static IReadOnlyList<string> UserColumns { get; } =
    [
        "user_active_degree", "is_lowactive_period", "is_live_streamer", "is_video_author",
        "follow_user_num_range", "fans_user_num_range", "friend_user_num_range", "register_days_range",
        .. Enumerable.Range(0, 18).Select(i => $"onehot_feat{i}"),
    ];

    /// <summary>Columns read from the video features file.</summary>
    public static IReadOnlyList<string> VideoColumns { get; } = ["author_id", "video_type", "upload_type", "music_type", "tag", "video_duration"];

    /// <summary>The schema: every field categorical with the option's min-count; hour and duration bucket derived.</summary>
    public static FeatureSchema Schema(KuaiRandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ts = options.TaskSpecificEmbeddings;
        CategoricalFeature Cat(string name) => new() { Name = name, MinCount = options.MinCount, TaskSpecific = ts };
        var features = new List<FeatureSpec>
        {
            Cat("user_id"),
            Cat("video_id"),
            Cat("tab"),
            new CategoricalFeature { Name = "hour", Column = "hourmin", MinCount = options.MinCount, TaskSpecific = ts, Transform = ValueTransform.FloorDivide(100) },
        };
        features.AddRange(UserColumns.Select(Cat));
        features.AddRange(new[] { "author_id", "video_type", "upload_type", "music_type" }.Select(Cat));

        // tag holds several ids in one cell ("20,43"): a multi-valued field, mean-pooled.
        features.Add(new MultiValueFeature { Name = "tag", MinCount = options.MinCount, TaskSpecific = ts, MaxLength = 4 });

        // video_duration is in milliseconds; floor(log2(seconds + 1)) buckets it.
        features.Add(new CategoricalFeature { Name = "duration_bucket", Column = "video_duration", MinCount = options.MinCount, TaskSpecific = ts, Transform = ValueTransform.Log2Bucket(0.001) });
        return new FeatureSchema
        {
            Features = features,
            Tasks = options.Tasks.Select(t => new TaskSpec { Name = t, AllowMissing = false }).ToArray(),
            GroupColumn = "user_id",
        };
    }

    /// <summary>Adds the dense user-vector field: every column of the vector table but its user_id key is a component.</summary>
    private static FeatureSchema WithUserVectors(FeatureSchema schema, DataTable vectors, KuaiRandOptions options)
    {
        if (!vectors.HasColumn("user_id"))
        {
            throw new DataFormatException(new SourceLocation(vectors.Source, 1, "user_id"), "the user vector table has no 'user_id' column");
        }

        var components = vectors.ColumnNames.Where(c => c != "user_id").ToArray();
        if (components.Length == 0)
        {
            throw new DataFormatException(new SourceLocation(vectors.Source, 1, null), "the user vector table has no component column besides 'user_id'");
        }

        var feature = new DenseVectorFeature { Name = options.UserVectorFeatureName, Columns = components, TaskSpecific = options.UserVectorsTaskSpecific };
        return schema with { Features = [.. schema.Features, feature] };
    }

    /// <summary>Reads, joins and splits the files.</summary>
    /// <exception cref="DataFormatException">A file is missing or malformed; the message names file, line and column.</exception>
    public static async Task<PresetSplits> LoadAsync(KuaiRandOptions options, TableReaderRegistry? readers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        readers ??= TableReaderRegistry.CreateDefault();
        var schema = Schema(options);
        var logColumns = LogFeatureColumns.Concat(options.Tasks).Append("date").Distinct().ToArray();

        var logTask = readers.ReadAsync(options.LogPath, new TableReadRequest(logColumns), cancellationToken);
        var testLogTask = options.TestLogPath is null ? null : readers.ReadAsync(options.TestLogPath, new TableReadRequest(logColumns), cancellationToken);
        var usersTask = options.UserFeaturesPath is null ? null : readers.ReadAsync(options.UserFeaturesPath, new TableReadRequest(["user_id", .. UserColumns]), cancellationToken);
        var videosTask = options.VideoFeaturesPath is null ? null : readers.ReadAsync(options.VideoFeaturesPath, new TableReadRequest(["video_id", .. VideoColumns]), cancellationToken);
        var vectorsTask = options.UserVectorsPath is null ? null : readers.ReadAsync(options.UserVectorsPath, null, cancellationToken);

        var users = usersTask is null ? null : await usersTask.ConfigureAwait(false);
        var videos = videosTask is null ? null : await videosTask.ConfigureAwait(false);
        var vectors = vectorsTask is null ? null : await vectorsTask.ConfigureAwait(false);
        if (vectors is not null)
        {
            schema = WithUserVectors(schema, vectors, options);
        }

        DataTable Join(DataTable log)
        {
            log = users is null ? log.WithMissingColumns(UserColumns) : log.LeftJoin(users, "user_id");
            log = vectors is null ? log : log.LeftJoin(vectors, "user_id");
            return videos is null ? log.WithMissingColumns(VideoColumns) : log.LeftJoin(videos, "video_id");
        }

        var joined = Join(await logTask.ConfigureAwait(false));
        if (testLogTask is null)
        {
            var (train, validation, test) = DaySplit.Split(joined, "date", options.TrainDays, options.ValidationDays, options.TestDays);
            return new PresetSplits(Name, schema, train, validation, test);
        }

        var (trainPart, validationPart, _) = DaySplit.Split(joined, "date", options.TrainDays, options.ValidationDays, []);
        var testLog = Join(await testLogTask.ConfigureAwait(false));
        if (options.TestDays.Count > 0)
        {
            testLog = DaySplit.Split(testLog, "date", [], [], options.TestDays).Test;
        }

        return new PresetSplits(Name, schema, trainPart, validationPart, testLog);
    }
}
