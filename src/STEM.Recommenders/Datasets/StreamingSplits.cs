using System.Diagnostics;
using STEM.Recommenders.Data;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Datasets;

/// <summary>
/// A dataset that is streamed rather than held in memory: its schema, the files it reads, and a
/// pass over its rows as <see cref="SplitChunk"/>s. <see cref="BuildCacheAsync"/> makes two passes —
/// fit the pipeline on the training rows, then encode all three splits into on-disk caches — and
/// reuses an existing cache when neither the schema nor any source file changed.
/// </summary>
public sealed class StreamingSplits
{
    /// <summary>The pipeline file kept at the root of a split cache, so a reused cache needs no refit.</summary>
    public const string PipelineFile = "pipeline.json";

    /// <summary>The folder under the cache root that holds pass 1's recorded reads while the cache is built.</summary>
    private const string ScratchFolder = ".pass1";

    private readonly Func<StreamingPass, CancellationToken, IAsyncEnumerable<SplitChunk>> _read;

    /// <summary>Describes a streamed dataset.</summary>
    /// <param name="name">The dataset's (preset's) name.</param>
    /// <param name="schema">Features and tasks.</param>
    /// <param name="sources">Every file a pass reads (logs and side tables), in a stable order.</param>
    /// <param name="read">Starts one pass over the rows.</param>
    public StreamingSplits(string name, FeatureSchema schema, IReadOnlyList<string> sources, Func<CancellationToken, IAsyncEnumerable<SplitChunk>> read)
        : this(name, schema, sources, WithoutPass(read))
    {
    }

    /// <summary>Describes a streamed dataset whose passes can reuse what an earlier pass parsed (see <see cref="StreamingPass.Reuse"/>).</summary>
    /// <param name="name">The dataset's (preset's) name.</param>
    /// <param name="schema">Features and tasks.</param>
    /// <param name="sources">Every file a pass reads (logs and side tables), in a stable order.</param>
    /// <param name="read">Starts one pass over the rows.</param>
    public StreamingSplits(string name, FeatureSchema schema, IReadOnlyList<string> sources, Func<StreamingPass, CancellationToken, IAsyncEnumerable<SplitChunk>> read)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(sources);
        ArgumentNullException.ThrowIfNull(read);
        Name = name;
        Schema = schema;
        Sources = sources;
        _read = read;
    }

    /// <summary>The dataset's name.</summary>
    public string Name { get; }

    /// <summary>Features and tasks.</summary>
    public FeatureSchema Schema { get; }

    /// <summary>The files a pass reads.</summary>
    public IReadOnlyList<string> Sources { get; }

    /// <summary>One pass over the rows.</summary>
    public IAsyncEnumerable<SplitChunk> ReadAsync(CancellationToken cancellationToken = default) => _read(StreamingPass.Once, cancellationToken);

    private static Func<StreamingPass, CancellationToken, IAsyncEnumerable<SplitChunk>> WithoutPass(Func<CancellationToken, IAsyncEnumerable<SplitChunk>> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        return (_, cancellationToken) => read(cancellationToken);
    }

    // The next chunk is read, joined and split on another thread while this one is fitted or encoded.
    private IAsyncEnumerable<SplitChunk> ReadAheadAsync(StreamingPass pass, CancellationToken cancellationToken) =>
        Prefetch.AheadAsync(_read(pass, cancellationToken), depth: 2, cancellationToken);

    /// <summary>
    /// Builds (or reuses) the encoded caches of the three splits under <paramref name="directory"/>
    /// (<c>pipeline.json</c>, <c>train/</c>, <c>validation/</c>, <c>test/</c>).
    /// </summary>
    /// <param name="directory">The cache root.</param>
    /// <param name="shardRows">Rows per shard.</param>
    /// <param name="progress">Rows encoded so far, reported per chunk.</param>
    /// <param name="cancellationToken">Stops the build; the partial caches are removed.</param>
    /// <exception cref="DataFormatException">A source is malformed (file, line and column), or a split has no rows.</exception>
    public async Task<CachedSplits> BuildCacheAsync(string directory, int shardRows = EncodedCacheWriter.DefaultShardRows, IProgress<CacheBuildProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var clock = Stopwatch.StartNew();
        var pipelinePath = Path.Combine(directory, PipelineFile);
        if (File.Exists(pipelinePath))
        {
            var saved = await FeaturePipeline.LoadAsync(pipelinePath, cancellationToken).ConfigureAwait(false);
            if (SameSchema(saved.Schema, Schema) && Roles.All(r => EncodedCache.StaleReason(Path.Combine(directory, Folder(r)), saved.ContentHash, Sources) is null))
            {
                return Open(directory, saved, reused: true, clock.Elapsed, TimeSpan.Zero);
            }
        }

        // Pass 1: the vocabularies and scalers, from the training rows only. What it parses is
        // recorded under the cache (codes over the readers' dictionaries), and pass 2 replays it.
        using var recordings = new PassRecordings(Path.Combine(directory, ScratchFolder));
        var pipeline = await FeaturePipeline.FitAsync(Schema, TrainRows(new StreamingPass(1, recordings), cancellationToken), cancellationToken).ConfigureAwait(false);
        var fitTime = clock.Elapsed;

        // Pass 2: every split's rows, encoded into its own cache in one read of the sources.
        Directory.CreateDirectory(directory);
        if (File.Exists(pipelinePath))
        {
            File.Delete(pipelinePath); // a half-rebuilt cache must not look current
        }

        var builders = Roles.Select(r => new EncodedCacheBuilder(pipeline, Path.Combine(directory, Folder(r)), r, shardRows, overwrite: true)).ToArray();
        try
        {
            long rows = 0;
            await foreach (var chunk in ReadAheadAsync(new StreamingPass(2, recordings), cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
            {
                builders[0].Append(chunk.Train);
                builders[1].Append(chunk.Validation);
                builders[2].Append(chunk.Test);
                rows += chunk.Train.RowCount + chunk.Validation.RowCount + chunk.Test.RowCount;
                progress?.Report(new CacheBuildProgress(rows, clock.Elapsed));
            }

            for (var i = 0; i < builders.Length; i++)
            {
                if (builders[i].RowCount == 0)
                {
                    throw new DataFormatException(string.Join(", ", Sources.Take(1)), $"the {Folder(Roles[i])} split has no rows; check the days or files that select it");
                }
            }

            foreach (var builder in builders)
            {
                builder.Complete(Sources);
            }
        }
        finally
        {
            foreach (var builder in builders)
            {
                builder.Dispose();
            }
        }

        await pipeline.SaveAsync(pipelinePath, cancellationToken).ConfigureAwait(false);

        // The saved pipeline, not the one that encoded: its encoders cached ids per side-table row
        // and so keep the side tables alive, which training from the cache must not pay for.
        var reloaded = await FeaturePipeline.LoadAsync(pipelinePath, cancellationToken).ConfigureAwait(false);
        return Open(directory, reloaded, reused: false, fitTime, clock.Elapsed - fitTime);
    }

    private static readonly DatasetRole[] Roles = [DatasetRole.Train, DatasetRole.Validation, DatasetRole.Test];

    private static string Folder(DatasetRole role) => role switch
    {
        DatasetRole.Train => "train",
        DatasetRole.Validation => "validation",
        _ => "test",
    };

    private static bool SameSchema(FeatureSchema a, FeatureSchema b) =>
        string.Equals(System.Text.Json.JsonSerializer.Serialize(a), System.Text.Json.JsonSerializer.Serialize(b), StringComparison.Ordinal);

    private static CachedSplits Open(string directory, FeaturePipeline pipeline, bool reused, TimeSpan fit, TimeSpan encode)
    {
        var caches = Roles.Select(r => EncodedCache.Open(Path.Combine(directory, Folder(r)), pipeline.ContentHash)).ToArray();
        return new CachedSplits(pipeline, caches[0], caches[1], caches[2], reused, fit, encode);
    }

    private async IAsyncEnumerable<DataTable> TrainRows(StreamingPass pass, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var chunk in ReadAheadAsync(pass, cancellationToken).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return chunk.Train;
        }
    }
}
