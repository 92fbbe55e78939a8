using System.Runtime.InteropServices;
using System.Text.Json;
using STEM.Recommenders.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.EncodedData;

/// <summary>
/// Encoded rows on disk (written by <see cref="EncodedCacheWriter"/>), read as an
/// <see cref="IBatchSource"/> so that training and evaluation need memory for a few shards, not for
/// the data. A shuffled epoch permutes the shards, then reads them a window of
/// <see cref="WindowShards"/> shards at a time and permutes the rows of each window, with every
/// random draw taken from the epoch's generator: the order is a function of the generator's state,
/// so a run resumed mid-epoch regenerates it and continues at the saved step.
/// </summary>
public sealed class EncodedCache : IBatchSource, IDisposable
{
    internal const string GroupKeysFile = "group-keys.json";

    private readonly string _directory;
    private readonly long[] _shardStarts;
    private readonly Lazy<IReadOnlyList<string>?> _groupKeys;

    private EncodedCache(string directory, EncodedCacheManifest manifest, Device device, int windowShards)
    {
        _directory = directory;
        Manifest = manifest;
        Device = device;
        WindowShards = windowShards;
        Layout = new FeatureLayout(manifest.Fields.Select(f => (f.Name, f.Rows, f.SlotCount, f.TaskSpecific, f.VocabularyHash)));
        _shardStarts = new long[manifest.Shards.Count + 1];
        for (var i = 0; i < manifest.Shards.Count; i++)
        {
            _shardStarts[i + 1] = _shardStarts[i] + manifest.Shards[i].Rows;
        }

        _groupKeys = new Lazy<IReadOnlyList<string>?>(ReadGroupKeys);
    }

    /// <summary>The cache's manifest.</summary>
    public EncodedCacheManifest Manifest { get; }

    /// <inheritdoc />
    public FeatureLayout Layout { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> TaskNames => Manifest.TaskNames;

    /// <inheritdoc />
    public long RowCount => Manifest.RowCount;

    /// <inheritdoc />
    public DatasetRole Role => Manifest.Role;

    /// <inheritdoc />
    public Device Device { get; }

    /// <summary>Shards read and permuted together in a shuffled epoch.</summary>
    public int WindowShards { get; }

    /// <summary>The raw group keys (e.g. user ids) that the batches' group ids index, or null without groups.</summary>
    public IReadOnlyList<string>? GroupKeys => _groupKeys.Value;

    /// <summary>
    /// Opens a cache, checking that every shard file has the size its manifest implies and, when
    /// given, that it was built by the pipeline with <paramref name="expectedPipelineHash"/>.
    /// </summary>
    /// <param name="directory">The cache directory.</param>
    /// <param name="expectedPipelineHash">The pipeline that must have built it, or null not to check.</param>
    /// <param name="device">Where batches are delivered (CPU by default).</param>
    /// <param name="windowShards">Shards mixed together by a shuffled epoch.</param>
    /// <exception cref="DataFormatException">The directory is not a cache, is damaged or was built by another pipeline; the message names the file.</exception>
    public static EncodedCache Open(string directory, string? expectedPipelineHash = null, Device? device = null, int windowShards = 4)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(windowShards, 1);
        directory = Path.GetFullPath(directory);
        var manifest = EncodedCacheManifest.Read(directory);
        if (expectedPipelineHash is not null && !string.Equals(manifest.PipelineHash, expectedPipelineHash, StringComparison.Ordinal))
        {
            throw new DataFormatException(
                Path.Combine(directory, EncodedCacheManifest.FileName),
                $"the cache was built by another feature pipeline (hash {manifest.PipelineHash}, this pipeline is {expectedPipelineHash}); rebuild it");
        }

        var slots = manifest.Fields.Sum(f => f.SlotCount);
        var tasks = manifest.TaskNames.Count;
        foreach (var shard in manifest.Shards)
        {
            CheckSize(directory, shard.Name + ".ids", (long)shard.Rows * slots * manifest.IdBytes);
            CheckSize(directory, shard.Name + ".labels", (long)shard.Rows * tasks);
            CheckSize(directory, shard.Name + ".mask", (long)shard.Rows * tasks);
            if (manifest.WeightSlots.Count > 0)
            {
                CheckSize(directory, shard.Name + ".weights", (long)shard.Rows * manifest.WeightSlots.Count * 4);
            }

            if (manifest.HasGroups)
            {
                CheckSize(directory, shard.Name + ".groups", (long)shard.Rows * 4);
            }
        }

        return new EncodedCache(directory, manifest, device ?? CPU, windowShards);
    }

    /// <summary>The same cache, delivering its batches on <paramref name="device"/> (shards are read on the CPU and each batch is copied once).</summary>
    public EncodedCache On(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        return new EncodedCache(_directory, Manifest, device, WindowShards);
    }

    /// <summary>
    /// Why the cache in <paramref name="directory"/> cannot be reused for these sources and this
    /// pipeline, or null when it can: missing, another format, another pipeline, or a source file
    /// added, removed, resized or rewritten since it was built.
    /// </summary>
    public static string? StaleReason(string directory, string pipelineHash, IReadOnlyList<string> sources)
    {
        ArgumentNullException.ThrowIfNull(sources);
        EncodedCacheManifest manifest;
        try
        {
            manifest = EncodedCacheManifest.Read(Path.GetFullPath(directory));
        }
        catch (DataFormatException e)
        {
            return e.Message;
        }

        if (!string.Equals(manifest.PipelineHash, pipelineHash, StringComparison.Ordinal))
        {
            return "it was built by another feature pipeline";
        }

        var now = sources.Select(SourceFileStamp.Of).ToArray();
        if (now.Length != manifest.Sources.Count)
        {
            return $"it was built from {manifest.Sources.Count} source files, now there are {now.Length}";
        }

        for (var i = 0; i < now.Length; i++)
        {
            if (now[i] != manifest.Sources[i])
            {
                return $"{now[i].Path} changed since the cache was built";
            }
        }

        return null;
    }

    /// <inheritdoc />
    public IBatchEpoch StartEpoch(int batchSize, bool shuffle, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var shards = Manifest.Shards.Count;
        int[] order;
        long[] seeds;
        if (shuffle)
        {
            ArgumentNullException.ThrowIfNull(generator);
            using var _ = NewDisposeScope();
            order = randperm(shards, generator: generator, dtype: ScalarType.Int32).data<int>().ToArray();
            var windows = (shards + WindowShards - 1) / WindowShards;
            seeds = windows == 0 ? [] : randint(long.MaxValue, [windows], generator: generator, dtype: ScalarType.Int64).data<long>().ToArray();
        }
        else
        {
            order = Enumerable.Range(0, shards).ToArray();
            seeds = [];
        }

        return new Epoch(this, order, seeds, batchSize);
    }

    /// <summary>Nothing is held open between epochs; present so that a cache is used like an <see cref="EncodedDataset"/>.</summary>
    public void Dispose()
    {
    }

    private static void CheckSize(string directory, string file, long expected)
    {
        var path = Path.Combine(directory, file);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new DataFormatException(path, "a shard file of the encoded cache is missing; rebuild the cache");
        }

        if (info.Length != expected)
        {
            throw new DataFormatException(path, $"the shard file has {info.Length} bytes, the manifest implies {expected}; the cache is damaged, rebuild it");
        }
    }

    private string[]? ReadGroupKeys()
    {
        if (!Manifest.HasGroups)
        {
            return null;
        }

        var path = Path.Combine(_directory, GroupKeysFile);
        try
        {
            return JsonSerializer.Deserialize<string[]>(File.ReadAllText(path)) ?? throw new DataFormatException(path, "the group keys are empty");
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            throw new DataFormatException(path, $"cannot read the cache's group keys ({e.Message})");
        }
    }

    private static T[] ReadArray<T>(string path, long count)
        where T : struct
    {
        var values = new T[count];
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.SequentialScan);
        var bytes = MemoryMarshal.AsBytes(values.AsSpan());
        var offset = 0;
        while (offset < bytes.Length)
        {
            var read = RandomAccess.Read(handle, bytes[offset..], offset);
            if (read == 0)
            {
                throw new DataFormatException(path, "the shard file ended early; the cache is damaged, rebuild it");
            }

            offset += read;
        }

        return values;
    }

    /// <summary>Columns of one window (one or more shards, concatenated), resident as tensors.</summary>
    private sealed class Window : IDisposable
    {
        public required int Index { get; init; }

        public required long Rows { get; init; }

        public required Tensor Ids { get; init; }

        public required Tensor? Weights { get; init; }

        public required Tensor Labels { get; init; }

        public required Tensor? Mask { get; init; }

        public required Tensor? Groups { get; init; }

        public required Tensor Order { get; init; }

        public void Dispose()
        {
            Ids.Dispose();
            Weights?.Dispose();
            Labels.Dispose();
            Mask?.Dispose();
            Groups?.Dispose();
            Order.Dispose();
        }
    }

    private sealed class Epoch : IBatchEpoch
    {
        private readonly EncodedCache _cache;
        private readonly int[] _order;
        private readonly long[] _seeds;
        private readonly int _batchSize;
        private readonly long[] _windowStarts;
        private readonly Tensor? _weightSlots;
        private Window? _window;

        public Epoch(EncodedCache cache, int[] order, long[] seeds, int batchSize)
        {
            _cache = cache;
            _order = order;
            _seeds = seeds;
            _batchSize = batchSize;
            var windows = (order.Length + cache.WindowShards - 1) / cache.WindowShards;
            _windowStarts = new long[windows + 1];
            for (var w = 0; w < windows; w++)
            {
                _windowStarts[w + 1] = _windowStarts[w] + ShardsOf(w).Sum(s => (long)cache.Manifest.Shards[s].Rows);
            }

            StepCount = checked((int)((cache.RowCount + batchSize - 1) / batchSize));
            if (cache.Manifest.WeightSlots.Count > 0)
            {
                _weightSlots = tensor(cache.Manifest.WeightSlots.Select(s => (long)s).ToArray(), ScalarType.Int64).DetachFromDisposeScope();
            }
        }

        public int StepCount { get; }

        public Batch GetBatch(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, StepCount);
            var start = (long)index * _batchSize;
            var end = Math.Min(start + _batchSize, _cache.RowCount);
            var parts = new List<Batch>(2);
            while (start < end)
            {
                var w = Array.BinarySearch(_windowStarts, start);
                w = w >= 0 ? w : ~w - 1;
                while (_windowStarts[w + 1] == _windowStarts[w])
                {
                    w++;
                }

                var window = Load(w);
                var from = start - _windowStarts[w];
                var take = Math.Min(end - start, window.Rows - from);
                using var rows = window.Order.narrow(0, from, take);
                parts.Add(Slice(window, rows));
                start += take;
            }

            return parts.Count == 1 ? parts[0] : Concatenate(parts);
        }

        public void Dispose()
        {
            _window?.Dispose();
            _window = null;
            _weightSlots?.Dispose();
        }

        private IEnumerable<int> ShardsOf(int window) =>
            _order.Skip(window * _cache.WindowShards).Take(_cache.WindowShards);

        private Batch Slice(Window window, Tensor rows)
        {
            var device = _cache.Device;
            var ids = window.Ids.index_select(0, rows).to(ScalarType.Int64).to(device);
            Tensor? weights = null;
            if (window.Weights is not null)
            {
                var full = ones(rows.shape[0], _cache.Layout.SlotCount, dtype: ScalarType.Float32);
                weights = full.index_copy_(1, _weightSlots!, window.Weights.index_select(0, rows)).to(device);
            }

            var labels = window.Labels.index_select(0, rows).to(ScalarType.Float32).to(device);
            var mask = window.Mask?.index_select(0, rows).to(ScalarType.Float32).to(device);
            var groups = window.Groups?.index_select(0, rows).to(ScalarType.Int64).to(device);
            return new Batch(new FeatureBatch(ids, weights), labels, mask, groups);
        }

        private static Batch Concatenate(List<Batch> parts)
        {
            Tensor Cat(Func<Batch, Tensor?> pick) => cat(parts.Select(p => pick(p)!).ToArray(), 0);
            var first = parts[0];
            return new Batch(
                new FeatureBatch(Cat(p => p.Features.Ids), first.Features.SlotWeights is null ? null : Cat(p => p.Features.SlotWeights)),
                Cat(p => p.Labels),
                first.LabelMask is null ? null : Cat(p => p.LabelMask),
                first.GroupIds is null ? null : Cat(p => p.GroupIds));
        }

        private Window Load(int index)
        {
            if (_window?.Index == index)
            {
                return _window;
            }

            _window?.Dispose();
            _window = null;
            var manifest = _cache.Manifest;
            var shards = ShardsOf(index).ToArray();
            var rows = shards.Sum(s => (long)manifest.Shards[s].Rows);
            var slots = _cache.Layout.SlotCount;
            var tasks = manifest.TaskNames.Count;
            using var scope = NewDisposeScope();
            Tensor Read<T>(string extension, long width, ScalarType type)
                where T : struct
            {
                var tensors = shards.Select(s =>
                {
                    var shard = manifest.Shards[s];
                    var values = ReadArray<T>(Path.Combine(_cache._directory, shard.Name + extension), shard.Rows * width);
                    return width == 1 ? FromArray(values, [shard.Rows], type) : FromArray(values, [shard.Rows, width], type);
                }).ToArray();
                return tensors.Length == 1 ? tensors[0] : cat(tensors, 0);
            }

            var ids = manifest.IdBytes == 4 ? Read<int>(".ids", slots, ScalarType.Int32) : Read<long>(".ids", slots, ScalarType.Int64);
            var weights = manifest.WeightSlots.Count > 0 ? Read<float>(".weights", manifest.WeightSlots.Count, ScalarType.Float32) : null;
            var labels = Read<byte>(".labels", tasks, ScalarType.Byte);
            var mask = manifest.HasLabelMask ? Read<byte>(".mask", tasks, ScalarType.Byte) : null;
            var groups = manifest.HasGroups ? Read<int>(".groups", 1, ScalarType.Int32) : null;
            Tensor order;
            if (_seeds.Length == 0)
            {
                order = arange(rows, dtype: ScalarType.Int64);
            }
            else
            {
                using var generator = new Generator((ulong)_seeds[index]);
                order = randperm(rows, generator: generator, dtype: ScalarType.Int64);
            }

            _window = new Window
            {
                Index = index,
                Rows = rows,
                Ids = ids.DetachFromDisposeScope(),
                Weights = weights?.DetachFromDisposeScope(),
                Labels = labels.DetachFromDisposeScope(),
                Mask = mask?.DetachFromDisposeScope(),
                Groups = groups?.DetachFromDisposeScope(),
                Order = order.DetachFromDisposeScope(),
            };
            return _window;
        }

        private static Tensor FromArray<T>(T[] values, long[] shape, ScalarType type)
            where T : struct => values switch
            {
                int[] i => tensor(i, shape, type),
                long[] l => tensor(l, shape, type),
                float[] f => tensor(f, shape, type),
                byte[] b => tensor(b, shape, type),
                _ => throw new NotSupportedException(typeof(T).Name),
            };
    }
}
