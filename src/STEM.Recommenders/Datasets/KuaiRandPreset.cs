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

    /// <summary>The user-side fields: user_id and every user-feature column.</summary>
    public static IReadOnlyList<string> UserSideFields { get; } = ["user_id", .. UserColumns];

    /// <summary>
    /// The schema: every field categorical with the option's min-count; hour and duration bucket
    /// derived; tag multi-valued (or one token); task-specific embeddings as the options say.
    /// </summary>
    public static FeatureSchema Schema(KuaiRandOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var userSide = UserSideFields.ToHashSet(StringComparer.Ordinal);
        bool TaskSpecific(string field) => options.TaskSpecificEmbeddings
            && (options.TaskSpecificFields == KuaiRandTaskSpecificFields.All || userSide.Contains(field));
        CategoricalFeature Cat(string name) => new() { Name = name, MinCount = options.MinCount, TaskSpecific = TaskSpecific(name) };
        var features = new List<FeatureSpec>
        {
            Cat("user_id"),
            Cat("video_id"),
            Cat("tab"),
            new CategoricalFeature { Name = "hour", Column = "hourmin", MinCount = options.MinCount, TaskSpecific = TaskSpecific("hour"), Transform = ValueTransform.FloorDivide(100) },
        };
        features.AddRange(UserColumns.Select(Cat));
        features.AddRange(new[] { "author_id", "video_type", "upload_type", "music_type" }.Select(Cat));

        // tag holds several ids in one cell ("20,43"): by default a multi-valued field, mean-pooled;
        // as one token, each distinct combination is its own value (the ablation of that choice).
        features.Add(options.TagAsOneToken
            ? Cat("tag")
            : new MultiValueFeature { Name = "tag", MinCount = options.MinCount, TaskSpecific = TaskSpecific("tag"), MaxLength = 4 });

        // video_duration is in milliseconds; floor(log2(seconds + 1)) buckets it.
        features.Add(new CategoricalFeature { Name = "duration_bucket", Column = "video_duration", MinCount = options.MinCount, TaskSpecific = TaskSpecific("duration_bucket"), Transform = ValueTransform.Log2Bucket(0.001) });
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

    /// <summary>
    /// The streaming form of <see cref="LoadAsync"/>: side tables (users, videos, vectors) are read
    /// once, when the rows are first read, and held in memory; the log (and test log) are read in chunks of
    /// <paramref name="chunkRows"/> rows, joined and split by day chunk by chunk, so the log can be
    /// larger than memory. Rows, joins, splits and errors are those of <see cref="LoadAsync"/>.
    /// </summary>
    public static async Task<StreamingSplits> StreamAsync(KuaiRandOptions options, TableReaderRegistry? readers = null, int chunkRows = TableReadRequest.DefaultChunkRows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        readers ??= TableReaderRegistry.CreateDefault();
        // The vectors shape the schema, so they are read now; users and videos only when a pass
        // reads the rows: a cache that is reused never holds them in memory.
        var vectors = options.UserVectorsPath is null ? null : await readers.ReadAsync(options.UserVectorsPath, null, cancellationToken).ConfigureAwait(false);
        var schema = vectors is null ? Schema(options) : WithUserVectors(Schema(options), vectors, options);
        SideTables? side = null;
        var logColumns = LogFeatureColumns.Concat(options.Tasks).Append("date").Distinct().ToArray();
        var sources = new[] { options.LogPath, options.TestLogPath, options.UserFeaturesPath, options.VideoFeaturesPath, options.UserVectorsPath }
            .OfType<string>()
            .Select(Path.GetFullPath)
            .Distinct()
            .ToArray();

        IAsyncEnumerable<DataTable> Log(StreamingPass pass, string path, CancellationToken ct) =>
            pass.Reuse(path, c => readers.ReadChunksAsync(path, new TableReadRequest(logColumns), chunkRows, c), ct);

        async IAsyncEnumerable<SplitChunk> Read(StreamingPass pass, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            // The side tables are parsed while the log is: its first chunks wait, dictionary-encoded
            // (about 2.5 MB per 65,536 rows), until the tables they join to are ready. (128 waiting
            // chunks instead of 64 raised the 10 M-row build's peak RSS by about 1 GB for no
            // measurable gain.)
            var sides = side is null ? SideTables.ReadAsync(options, readers, ct, vectors) : Task.FromResult(side);
            await foreach (var chunk in Prefetch.AheadAsync(Log(pass, options.LogPath, ct), depth: 64, ct).WithCancellation(ct).ConfigureAwait(false))
            {
                side ??= await sides.ConfigureAwait(false);
                var joined = side.Join(chunk);
                if (options.TestLogPath is null)
                {
                    var (train, validation, test) = DaySplit.Split(joined, "date", options.TrainDays, options.ValidationDays, options.TestDays);
                    yield return new SplitChunk(train, validation, test);
                }
                else
                {
                    var (train, validation, _) = DaySplit.Split(joined, "date", options.TrainDays, options.ValidationDays, []);
                    yield return new SplitChunk(train, validation, joined.Select([]));
                }
            }

            if (options.TestLogPath is not null)
            {
                await foreach (var chunk in Log(pass, options.TestLogPath, ct).WithCancellation(ct).ConfigureAwait(false))
                {
                    side ??= await sides.ConfigureAwait(false);
                    var joined = side.Join(chunk);
                    var test = options.TestDays.Count > 0 ? DaySplit.Split(joined, "date", [], [], options.TestDays).Test : joined;
                    yield return new SplitChunk(joined.Select([]), joined.Select([]), test);
                }
            }
        }

        return new StreamingSplits(Name, schema, sources, Read);
    }

    /// <summary>The side tables of a KuaiRand run, held in memory and joined to the whole log or to each of its chunks.</summary>
    private sealed record SideTables(DataTable? Users, DataTable? Videos, DataTable? Vectors)
    {
        // Indexed once: a log streamed in many chunks must not rebuild a side table's key index per chunk.
        private readonly TableIndex? _users = Users?.IndexBy("user_id");
        private readonly TableIndex? _videos = Videos?.IndexBy("video_id");
        private readonly TableIndex? _vectors = Vectors?.IndexBy("user_id");

        public static async Task<SideTables> ReadAsync(KuaiRandOptions options, TableReaderRegistry readers, CancellationToken cancellationToken, DataTable? vectorsRead = null)
        {
            // Each table is parsed on its own thread (the readers parse synchronously).
            Task<DataTable>? Read(string? path, TableReadRequest? request) =>
                path is null ? null : Task.Run(() => readers.ReadAsync(path, request, cancellationToken), cancellationToken);
            var users = Read(options.UserFeaturesPath, new TableReadRequest(["user_id", .. UserColumns]));
            var videos = Read(options.VideoFeaturesPath, new TableReadRequest(["video_id", .. VideoColumns]));
            var vectors = vectorsRead is not null ? Task.FromResult(vectorsRead) : Read(options.UserVectorsPath, null);
            return new SideTables(
                users is null ? null : await users.ConfigureAwait(false),
                videos is null ? null : await videos.ConfigureAwait(false),
                vectors is null ? null : await vectors.ConfigureAwait(false));
        }

        public DataTable Join(DataTable log)
        {
            log = _users is null ? log.WithMissingColumns(UserColumns) : log.LeftJoin(_users, "user_id");
            log = _vectors is null ? log : log.LeftJoin(_vectors, "user_id");
            return _videos is null ? log.WithMissingColumns(VideoColumns) : log.LeftJoin(_videos, "video_id");
        }
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
        var side = await SideTables.ReadAsync(options, readers, cancellationToken).ConfigureAwait(false);
        if (side.Vectors is not null)
        {
            schema = WithUserVectors(schema, side.Vectors, options);
        }

        var joined = side.Join(await logTask.ConfigureAwait(false));
        if (testLogTask is null)
        {
            var (train, validation, test) = DaySplit.Split(joined, "date", options.TrainDays, options.ValidationDays, options.TestDays);
            return new PresetSplits(Name, schema, train, validation, test);
        }

        var (trainPart, validationPart, _) = DaySplit.Split(joined, "date", options.TrainDays, options.ValidationDays, []);
        var testLog = side.Join(await testLogTask.ConfigureAwait(false));
        if (options.TestDays.Count > 0)
        {
            testLog = DaySplit.Split(testLog, "date", [], [], options.TestDays).Test;
        }

        return new PresetSplits(Name, schema, trainPart, validationPart, testLog);
    }
}
