using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace STEM.Recommenders.EncodedData;

/// <summary>
/// Writes encoded rows chunk by chunk into an on-disk <see cref="EncodedCache"/>: shards of raw
/// little-endian columns (int32 ids when the id space fits, float32 weights only for the slots that
/// carry them, labels and masks as bytes, int32 group ids) and a manifest. Everything is written into
/// a temporary sibling directory that is renamed into place by <see cref="Complete"/>, so a run that
/// fails or is killed never leaves a half-written cache under the final name.
/// </summary>
public sealed class EncodedCacheWriter : IDisposable
{
    /// <summary>Rows per shard when the caller does not choose (about 10 MB of KuaiRand rows).</summary>
    public const int DefaultShardRows = 1 << 16;

    private readonly string _directory;
    private readonly string _partial;
    private readonly FeatureLayout _layout;
    private readonly IReadOnlyList<string> _taskNames;
    private readonly DatasetRole _role;
    private readonly string _pipelineHash;
    private readonly int[] _weightSlots;
    private readonly bool _groups;
    private readonly int _shardRows;
    private readonly int _idBytes;
    private readonly List<EncodedCacheShard> _shards = new();
    private ShardStreams? _current;
    private long _rows;
    private bool _anyMissingLabel;
    private bool _completed;

    /// <summary>Starts a cache in <paramref name="directory"/>.</summary>
    /// <param name="directory">The cache directory to create.</param>
    /// <param name="layout">The layout of the ids.</param>
    /// <param name="taskNames">Task names, in label order.</param>
    /// <param name="role">Which split the rows are.</param>
    /// <param name="pipelineHash">Content hash of the pipeline that encodes the rows.</param>
    /// <param name="weightSlots">Slots whose weights can differ from 1 (the rest are not stored).</param>
    /// <param name="groups">Whether rows carry group ids.</param>
    /// <param name="shardRows">Rows per shard.</param>
    /// <param name="overwrite">Whether an existing directory may be replaced.</param>
    /// <exception cref="IOException">The directory exists and <paramref name="overwrite"/> is false.</exception>
    public EncodedCacheWriter(
        string directory,
        FeatureLayout layout,
        IReadOnlyList<string> taskNames,
        DatasetRole role,
        string pipelineHash,
        IReadOnlyList<int> weightSlots,
        bool groups,
        int shardRows = DefaultShardRows,
        bool overwrite = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(taskNames);
        ArgumentNullException.ThrowIfNull(pipelineHash);
        ArgumentNullException.ThrowIfNull(weightSlots);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardRows, 1);
        if (weightSlots.Any(s => (uint)s >= (uint)layout.SlotCount))
        {
            throw new ArgumentOutOfRangeException(nameof(weightSlots), $"Weight slots must be in [0, {layout.SlotCount}).");
        }

        _directory = Path.GetFullPath(directory);
        if (Directory.Exists(_directory) && !overwrite)
        {
            throw new IOException($"{_directory}: the cache directory already exists; remove it or pass overwrite");
        }

        _layout = layout;
        _taskNames = taskNames;
        _role = role;
        _pipelineHash = pipelineHash;
        _weightSlots = weightSlots.Order().ToArray();
        _groups = groups;
        _shardRows = shardRows;
        _idBytes = layout.TotalRows <= int.MaxValue ? 4 : 8;
        _partial = $"{_directory}.partial-{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.GetDirectoryName(_directory)!);
        Directory.CreateDirectory(_partial);
    }

    /// <summary>Rows written so far.</summary>
    public long RowCount => _rows;

    /// <summary>
    /// Creates each file of the cache (a new file at the given path). A seam for tests that fill the
    /// disk part-way through a write; production writes through <see cref="FileStream"/>.
    /// </summary>
    internal Func<string, Stream> CreateFile { get; set; } =
        path => new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);

    /// <summary>
    /// Appends encoded rows: ids [n, S] row-major, full weights [n, S] (or null when all are 1),
    /// labels [n, T], label mask [n, T] (or null when all are observed), and group ids [n] (-1 unknown).
    /// </summary>
    /// <exception cref="IOException">A write failed (for example the disk is full); the message names the file, and the partial cache has been removed.</exception>
    public void Append(ReadOnlySpan<long> ids, ReadOnlySpan<float> weights, ReadOnlySpan<float> labels, ReadOnlySpan<float> mask, ReadOnlySpan<long> groups)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        var s = _layout.SlotCount;
        var t = _taskNames.Count;
        if (ids.Length % s != 0)
        {
            throw new ArgumentException($"Ids must be a multiple of {s} long.", nameof(ids));
        }

        var n = ids.Length / s;
        if (labels.Length != n * t || (!weights.IsEmpty && weights.Length != n * s) || (!mask.IsEmpty && mask.Length != n * t) || (_groups && groups.Length != n))
        {
            throw new ArgumentException("Weights, labels, mask and groups must match the ids' rows.");
        }

        for (var start = 0; start < n;)
        {
            _current ??= OpenShard($"shard-{_shards.Count:D5}");
            var take = Math.Min(n - start, _shardRows - _current.Rows);
            WriteRows(_current, ids.Slice(start * s, take * s), weights.IsEmpty ? weights : weights.Slice(start * s, take * s), labels.Slice(start * t, take * t), mask.IsEmpty ? mask : mask.Slice(start * t, take * t), _groups ? groups.Slice(start, take) : groups, take);
            start += take;
            if (_current.Rows == _shardRows)
            {
                CloseShard();
            }
        }
    }

    /// <summary>Writes the manifest and moves the cache into place.</summary>
    /// <param name="groupKeys">The keys that group ids index (when rows carry groups).</param>
    /// <param name="sources">The source files the rows came from.</param>
    /// <returns>The manifest written.</returns>
    public EncodedCacheManifest Complete(IReadOnlyList<string>? groupKeys, IReadOnlyList<SourceFileStamp> sources)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        ArgumentNullException.ThrowIfNull(sources);
        CloseShard();
        var manifest = new EncodedCacheManifest
        {
            PipelineHash = _pipelineHash,
            Role = _role,
            TaskNames = _taskNames,
            Fields = _layout.Fields,
            IdBytes = _idBytes,
            WeightSlots = _weightSlots,
            HasLabelMask = _anyMissingLabel,
            HasGroups = _groups,
            RowCount = _rows,
            Shards = _shards,
            Sources = sources,
        };
        Guard(EncodedCacheManifest.FileName, p => WriteText(p, JsonSerializer.Serialize(manifest, EncodedCacheManifest.Json)));
        if (_groups)
        {
            Guard(EncodedCache.GroupKeysFile, p => WriteText(p, JsonSerializer.Serialize(groupKeys ?? [])));
        }

        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        Directory.Move(_partial, _directory);
        _completed = true;
        return manifest;
    }

    /// <summary>Removes the partial output unless <see cref="Complete"/> succeeded.</summary>
    public void Dispose() => Abort();

    private void WriteText(string path, string text)
    {
        using var stream = CreateFile(path);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }

    private void WriteRows(ShardStreams shard, ReadOnlySpan<long> ids, ReadOnlySpan<float> weights, ReadOnlySpan<float> labels, ReadOnlySpan<float> mask, ReadOnlySpan<long> groups, int rows)
    {
        var s = _layout.SlotCount;
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(Math.Max(ids.Length * _idBytes, rows * _weightSlots.Length * 4), Math.Max(labels.Length, rows * 4)));
        try
        {
            if (_idBytes == 4)
            {
                var narrow = MemoryMarshal.Cast<byte, int>(buffer.AsSpan(0, ids.Length * 4));
                for (var i = 0; i < ids.Length; i++)
                {
                    narrow[i] = (int)ids[i];
                }
            }
            else
            {
                MemoryMarshal.AsBytes(ids).CopyTo(buffer);
            }

            Write(shard.Ids, buffer.AsSpan(0, ids.Length * _idBytes));
            if (shard.Weights is not null)
            {
                var w = MemoryMarshal.Cast<byte, float>(buffer.AsSpan(0, rows * _weightSlots.Length * 4));
                for (var r = 0; r < rows; r++)
                {
                    for (var k = 0; k < _weightSlots.Length; k++)
                    {
                        w[(r * _weightSlots.Length) + k] = weights.IsEmpty ? 1f : weights[(r * s) + _weightSlots[k]];
                    }
                }

                Write(shard.Weights, MemoryMarshal.AsBytes(w));
            }

            var bytes = buffer.AsSpan(0, labels.Length);
            for (var i = 0; i < labels.Length; i++)
            {
                bytes[i] = labels[i] > 0.5f ? (byte)1 : (byte)0;
            }

            Write(shard.Labels, bytes);
            for (var i = 0; i < labels.Length; i++)
            {
                var observed = mask.IsEmpty || mask[i] > 0.5f;
                bytes[i] = observed ? (byte)1 : (byte)0;
                _anyMissingLabel |= !observed;
            }

            Write(shard.Mask, bytes);
            if (shard.Groups is not null)
            {
                var g = MemoryMarshal.Cast<byte, int>(buffer.AsSpan(0, rows * 4));
                for (var r = 0; r < rows; r++)
                {
                    g[r] = checked((int)groups[r]);
                }

                Write(shard.Groups, MemoryMarshal.AsBytes(g));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        shard.Rows += rows;
        _rows += rows;
    }

    private void Write(ShardFile file, ReadOnlySpan<byte> bytes)
    {
        try
        {
            file.Stream.Write(bytes);
        }
        catch (IOException e)
        {
            throw Failed(file.Name, e);
        }
    }

    private void Guard(string name, Action<string> write)
    {
        try
        {
            write(Path.Combine(_partial, name));
        }
        catch (IOException e)
        {
            throw Failed(name, e);
        }
    }

    private ShardStreams OpenShard(string name)
    {
        var opened = new List<ShardFile>();
        ShardFile Create(string extension)
        {
            var file = name + extension;
            try
            {
                var created = new ShardFile(file, CreateFile(Path.Combine(_partial, file)));
                opened.Add(created);
                return created;
            }
            catch (IOException e)
            {
                foreach (var f in opened)
                {
                    f.Stream.Dispose();
                }

                throw Failed(file, e);
            }
        }

        return new ShardStreams(name, Create(".ids"), _weightSlots.Length > 0 ? Create(".weights") : null, Create(".labels"), Create(".mask"), _groups ? Create(".groups") : null);
    }

    /// <summary>
    /// A write failed (a full disk, most often): the partial cache is removed at once, so that
    /// nothing is left behind even if the caller never disposes the writer, and the error names the
    /// file of the cache that could not be written.
    /// </summary>
    private IOException Failed(string file, IOException e)
    {
        Abort();
        return new IOException($"{Path.Combine(_directory, file)}: cannot write the encoded cache ({e.Message.TrimEnd('.')}); the partial cache was removed", e);
    }

    private void Abort()
    {
        var current = _current;
        _current = null;
        current?.DisposeQuietly();
        if (!_completed && Directory.Exists(_partial))
        {
            try
            {
                Directory.Delete(_partial, recursive: true);
            }
            catch (IOException)
            {
                // Best effort: the name is unique to this writer and starts with the cache's.
            }
        }

        _completed = true;
    }

    private void CloseShard()
    {
        if (_current is null)
        {
            return;
        }

        var rows = _current.Rows;
        var name = _current.Name;

        // Closing flushes the last buffer: a full disk shows up here as often as in a write.
        var failed = _current.Close();
        if (failed is not null)
        {
            throw Failed(failed.Value.File, failed.Value.Error);
        }

        _current = null;
        if (rows > 0)
        {
            _shards.Add(new EncodedCacheShard(name, rows));
        }
    }

    private sealed record ShardFile(string Name, Stream Stream);

    private sealed class ShardStreams
    {
        public ShardStreams(string name, ShardFile ids, ShardFile? weights, ShardFile labels, ShardFile mask, ShardFile? groups)
        {
            Name = name;
            Ids = ids;
            Weights = weights;
            Labels = labels;
            Mask = mask;
            Groups = groups;
        }

        public string Name { get; }

        public ShardFile Ids { get; }

        public ShardFile? Weights { get; }

        public ShardFile Labels { get; }

        public ShardFile Mask { get; }

        public ShardFile? Groups { get; }

        public int Rows { get; set; }

        private IEnumerable<ShardFile> Files => new[] { Ids, Weights, Labels, Mask, Groups }.Where(f => f is not null)!;

        /// <summary>Closes every file; the first failure, if any (every file is closed either way).</summary>
        public (string File, IOException Error)? Close()
        {
            (string, IOException)? first = null;
            foreach (var file in Files)
            {
                try
                {
                    file.Stream.Dispose();
                }
                catch (IOException e)
                {
                    first ??= (file.Name, e);
                }
            }

            return first;
        }

        public void DisposeQuietly() => Close();
    }
}
