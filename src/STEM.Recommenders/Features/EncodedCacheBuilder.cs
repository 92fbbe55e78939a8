using STEM.Recommenders.Data;
using STEM.Recommenders.EncodedData;

namespace STEM.Recommenders.Features;

/// <summary>
/// Encodes table chunks with a fitted <see cref="FeaturePipeline"/> straight into an on-disk
/// <see cref="EncodedCache"/> (pass 2 of the streaming path): memory holds one chunk, the group
/// keys and the pipeline, never the split. Several builders can be fed from one pass over the
/// sources (one per split).
/// </summary>
public sealed class EncodedCacheBuilder : IDisposable
{
    private readonly FeaturePipeline _pipeline;
    private readonly EncodedCacheWriter _writer;
    private readonly FeaturePipeline.GroupIndex? _groups;

    /// <summary>
    /// The previous chunk's write, which runs while the next chunk is encoded (the write is one
    /// sequential pass that would otherwise leave a core idle); at most one is in flight, so memory
    /// holds two chunks' arrays at most.
    /// </summary>
    private Task _write = Task.CompletedTask;

    /// <summary>Starts a cache for one split.</summary>
    /// <param name="pipeline">The fitted pipeline (its hash goes into the manifest).</param>
    /// <param name="directory">The cache directory to create.</param>
    /// <param name="role">Which split the rows are.</param>
    /// <param name="shardRows">Rows per shard.</param>
    /// <param name="overwrite">Whether an existing cache directory may be replaced.</param>
    public EncodedCacheBuilder(FeaturePipeline pipeline, string directory, DatasetRole role, int shardRows = EncodedCacheWriter.DefaultShardRows, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
        _groups = pipeline.Schema.GroupColumn is null ? null : new FeaturePipeline.GroupIndex();
        _writer = new EncodedCacheWriter(directory, pipeline.Layout, pipeline.TaskNames, role, pipeline.ContentHash, pipeline.WeightedSlots, groups: _groups is not null, shardRows, overwrite);
    }

    /// <summary>Rows written so far.</summary>
    public long RowCount
    {
        get
        {
            FinishWrite();
            return _writer.RowCount;
        }
    }

    /// <summary>Encodes and appends a chunk of rows.</summary>
    /// <exception cref="DataFormatException">A column is missing, a value cannot be parsed, or a label is not binary; the message names file, line and column.</exception>
    public void Append(DataTable chunk)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.RowCount == 0)
        {
            return;
        }

        if (_groups is not null && !chunk.HasColumn(_pipeline.Schema.GroupColumn!))
        {
            _ = chunk.Column(_pipeline.Schema.GroupColumn!); // the same error as a missing feature column
        }

        var arrays = _pipeline.EncodeChunk(chunk, _groups);
        try
        {
            FinishWrite();
        }
        catch
        {
            arrays.Return();
            throw;
        }

        _write = Task.Run(() =>
        {
            try
            {
                _writer.Append(arrays.IdSpan, arrays.WeightSpan, arrays.Labels, arrays.Mask, arrays.Groups);
            }
            finally
            {
                arrays.Return();
            }
        });
    }

    /// <summary>Waits for the write in flight; its error (a full disk) is thrown here, as it is.</summary>
    private void FinishWrite()
    {
        var write = _write;
        _write = Task.CompletedTask;
        write.GetAwaiter().GetResult();
    }

    /// <summary>Writes the manifest and moves the cache into place.</summary>
    /// <param name="sources">The files the rows were read from (their sizes and times make a later change detectable).</param>
    public EncodedCacheManifest Complete(IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        FinishWrite();
        return _writer.Complete(_groups?.Keys, sources.Select(SourceFileStamp.Of).ToArray());
    }

    /// <summary>Removes the partial cache unless <see cref="Complete"/> succeeded.</summary>
    public void Dispose()
    {
        try
        {
            FinishWrite();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException or ArgumentException)
        {
            // Disposing after a failure: the error was (or is being) reported by Append or Complete.
        }

        _writer.Dispose();
    }
}
