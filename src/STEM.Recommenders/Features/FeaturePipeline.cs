using STEM.Recommenders.EncodedData;
using System.Text.Json;
using System.Text.Json.Serialization;
using STEM.Recommenders.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Features;

/// <summary>
/// A <see cref="FeatureSchema"/> fitted on a training table: vocabularies, scalers and bucket
/// boundaries, and the <see cref="FeatureLayout"/> they imply. It encodes any table (the training,
/// validation and test splits, or rows to score) into an <see cref="EncodedDataset"/>, and saves to
/// JSON so that a reloaded pipeline encodes identically.
/// </summary>
public sealed class FeaturePipeline
{
    /// <summary>Version of the JSON format written by <see cref="ToJson"/>.</summary>
    public const int FormatVersion = 1;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Rows per encoding block: 1,024 rows of a few dozen slots fit in a core's L2 cache.</summary>
    private const int EncodeBlockRows = 1024;

    private readonly FieldEncoder[] _encoders;
    private readonly int[] _slotOf;
    private string? _contentHash;

    private FeaturePipeline(FeatureSchema schema, IReadOnlyList<FittedFeature> fitted)
    {
        Schema = schema;
        Fitted = fitted;
        _encoders = fitted.Select(FieldEncoder.FromFitted).ToArray();
        Layout = new FeatureLayout(fitted.Select(f => (f.Spec.Name, f.Rows, f.Slots, f.Spec.TaskSpecific, VocabularyHash.Of(f))));
        var position = Layout.Fields.Select((f, i) => (f.Name, i)).ToDictionary(x => x.Name, x => x.i, StringComparer.Ordinal);
        _slotOf = fitted.Select(f => position[f.Spec.Name]).ToArray();
    }

    /// <summary>The declaration this pipeline was fitted from.</summary>
    public FeatureSchema Schema { get; }

    /// <summary>What was fitted, per feature, in schema order.</summary>
    public IReadOnlyList<FittedFeature> Fitted { get; }

    /// <summary>Where each field lives in the encoded tensors and embedding tables.</summary>
    public FeatureLayout Layout { get; }

    /// <summary>Task names, in output order.</summary>
    public IReadOnlyList<string> TaskNames => Schema.Tasks.Select(t => t.Name).ToArray();

    /// <summary>Fits every feature on the training table (and only on it).</summary>
    /// <exception cref="ArgumentException">The schema is inconsistent.</exception>
    /// <exception cref="DataFormatException">A column is missing or a value cannot be parsed.</exception>
    public static FeaturePipeline Fit(FeatureSchema schema, DataTable train)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(train);
        var fit = new ChunkedFit(schema);
        if (train.RowCount == 0)
        {
            throw new DataFormatException(train.Source, "the training table has no rows");
        }

        fit.Add(train);
        return fit.Finish();
    }

    /// <summary>
    /// Fits every feature on training rows that arrive in chunks (a stream of files larger than
    /// memory): each field keeps only its counts or running moments, so memory is bounded by the
    /// vocabularies, not the rows. Fitting one chunk, or the whole table, gives what <see cref="Fit"/> gives.
    /// </summary>
    /// <exception cref="ArgumentException">The schema is inconsistent.</exception>
    /// <exception cref="DataFormatException">A column is missing, a value cannot be parsed, or there are no training rows.</exception>
    public static async Task<FeaturePipeline> FitAsync(FeatureSchema schema, IAsyncEnumerable<DataTable> train, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(train);
        var fit = new ChunkedFit(schema);
        await foreach (var chunk in train.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            fit.Add(chunk);
        }

        return fit.Finish();
    }

    /// <summary>
    /// A SHA-256 of the pipeline's JSON: two pipelines with the same hash encode every row alike. An
    /// <see cref="EncodedCache"/> records the hash of the pipeline that built it.
    /// </summary>
    public string ContentHash => _contentHash ??= Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(ToJson())));

    /// <summary>The slots whose weights can differ from 1 (numeric values, pooled multi-values, dense vectors).</summary>
    public IReadOnlyList<int> WeightedSlots => _encoders
        .Select((encoder, i) => (encoder, place: Layout.Fields[_slotOf[i]]))
        .Where(x => x.encoder.ProducesWeights)
        .SelectMany(x => Enumerable.Range(x.place.FirstSlot, x.place.SlotCount))
        .Order()
        .ToArray();

    /// <summary>Encodes a table into tensors on <paramref name="device"/> (CPU by default).</summary>
    /// <exception cref="DataFormatException">A column is missing, a value cannot be parsed, or a label is not binary.</exception>
    public EncodedDataset Encode(DataTable table, DatasetRole role = DatasetRole.Unspecified, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var arrays = EncodeArrays(table, requireLabels: true);
        using var _ = NewDisposeScope();
        var n = table.RowCount;
        var tasks = Schema.Tasks.Count;
        var ids = tensor(arrays.Ids, [n, Layout.SlotCount], ScalarType.Int64);
        var weights = arrays.Weights is null ? null : tensor(arrays.Weights, [n, Layout.SlotCount], ScalarType.Float32);
        var labels = tensor(arrays.Labels!, [n, tasks], ScalarType.Float32);
        var mask = arrays.Mask is null ? null : tensor(arrays.Mask, [n, tasks], ScalarType.Float32);
        var groups = arrays.Groups is null ? null : tensor(arrays.Groups, [n], ScalarType.Int64);
        var dataset = new EncodedDataset(Layout, TaskNames, ids.MoveToOuterDisposeScope(), weights?.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(), mask?.MoveToOuterDisposeScope(), groups?.MoveToOuterDisposeScope(), arrays.GroupKeys, role);
        if (device is null || device.type == DeviceType.CPU)
        {
            return dataset;
        }

        using (dataset)
        {
            return dataset.To(device);
        }
    }

    /// <summary>
    /// Encodes the features of a table without labels (scoring). Label and group columns may be absent.
    /// </summary>
    public FeatureBatch EncodeFeatures(DataTable table, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        var arrays = EncodeArrays(table, requireLabels: false);
        var ids = tensor(arrays.Ids, [table.RowCount, Layout.SlotCount], ScalarType.Int64, device);
        var weights = arrays.Weights is null ? null : tensor(arrays.Weights, [table.RowCount, Layout.SlotCount], ScalarType.Float32, device);
        return new FeatureBatch(ids, weights);
    }

    /// <summary>Serialises the schema and everything fitted to JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(new PipelineDocument(FormatVersion, Schema, Fitted), JsonOptions);

    /// <summary>Reloads a pipeline written by <see cref="ToJson"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">A file name or description for error messages.</param>
    /// <exception cref="DataFormatException">The JSON is malformed or of another format version.</exception>
    public static FeaturePipeline FromJson(string json, string source = "feature pipeline JSON")
    {
        PipelineDocument? document;
        try
        {
            document = JsonSerializer.Deserialize<PipelineDocument>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(new SourceLocation(source, e.LineNumber + 1, e.BytePositionInLine + 1 is { } c ? c.ToString() : null), $"invalid feature pipeline JSON: {e.Message}");
        }
        catch (NotSupportedException e)
        {
            // A feature without its "kind" discriminator (found by the fuzz test).
            throw new DataFormatException(source, $"invalid feature pipeline JSON: {e.Message}");
        }

        if (document is null || document.Schema is null || document.Fitted is null)
        {
            throw new DataFormatException(source, "the feature pipeline JSON is empty or incomplete");
        }

        if (document.FormatVersion != FormatVersion)
        {
            throw new DataFormatException(source, $"feature pipeline format version {document.FormatVersion} is not supported (this library reads version {FormatVersion})");
        }

        try
        {
            document.Schema.Validate();
            return new FeaturePipeline(document.Schema, document.Fitted);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or KeyNotFoundException)
        {
            // What was fitted does not fit the schema (a field without its vocabulary, a feature twice):
            // the file is damaged or was edited by hand.
            throw new DataFormatException(source, $"the feature pipeline is inconsistent: {e.Message}");
        }
    }

    /// <summary>Writes <see cref="ToJson"/> to a file.</summary>
    public Task SaveAsync(string path, CancellationToken cancellationToken = default) =>
        File.WriteAllTextAsync(path, ToJson(), cancellationToken);

    /// <summary>Reads a pipeline saved with <see cref="SaveAsync"/>.</summary>
    public static async Task<FeaturePipeline> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, "file not found");
        }

        return FromJson(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);
    }

    /// <summary>Encodes a chunk for an <see cref="EncodedCacheBuilder"/>; group keys are indexed across chunks.</summary>
    /// <remarks>
    /// The id and weight arrays are rented (tens of MB per chunk, which would otherwise be new
    /// large-object allocations and full collections of a heap that holds the dictionaries); they
    /// are longer than the chunk, every slot of its rows is written, and <see cref="EncodedArrays.Return"/> gives them back.
    /// </remarks>
    internal EncodedArrays EncodeChunk(DataTable table, GroupIndex? groups) => EncodeArrays(table, requireLabels: true, groups, rent: true);

    private EncodedArrays EncodeArrays(DataTable table, bool requireLabels, GroupIndex? sharedGroups = null, bool rent = false)
    {
        var n = table.RowCount;
        var stride = Layout.SlotCount;
        var size = checked(n * stride);
        var ids = rent ? System.Buffers.ArrayPool<long>.Shared.Rent(size) : new long[size];
        var weights = !_encoders.Any(e => e.ProducesWeights) ? null : rent ? System.Buffers.ArrayPool<float>.Shared.Rent(size) : new float[size];
        foreach (var column in Schema.Features.SelectMany(f => f.SourceColumns))
        {
            _ = table.Column(column); // a missing column is reported before any work starts
        }

        // Blocks of rows, each encoded field by field: a block's ids stay in cache while every field
        // writes its slots (encoding a whole chunk one field at a time strided across tens of MB and
        // was bound by cache misses). Blocks are independent, so they run in parallel; when one fails,
        // the blocks are encoded again in order so the error is the one a sequential encode meets first.
        var blocks = (n + EncodeBlockRows - 1) / EncodeBlockRows;
        void EncodeBlock(int b)
        {
            var start = b * EncodeBlockRows;
            var end = Math.Min(n, start + EncodeBlockRows);
            for (var i = 0; i < _encoders.Length; i++)
            {
                var field = Layout.Fields[_slotOf[i]];
                _encoders[i].Encode(table, start, end, ids, weights, stride, field.FirstSlot, field.Offset);
            }
        }

        // Group ids are one sequential pass (a dictionary of keys in row order) that shares no state
        // with the fields: it runs beside the blocks instead of after them.
        GroupIndex? groupIndex = null;
        Task<long[]>? groupTask = null;
        if (Schema.GroupColumn is { } groupColumn && table.HasColumn(groupColumn))
        {
            groupIndex = sharedGroups ?? new GroupIndex();
            var column = table.Column(groupColumn);
            groupTask = n >= 4 * EncodeBlockRows ? Task.Run(() => groupIndex.Encode(column)) : Task.FromResult(groupIndex.Encode(column));
        }

        float[]? labels = null, mask = null;
        try
        {
            try
            {
                RunParallel(blocks, EncodeBlock);
            }
            catch (DataFormatException)
            {
                for (var b = 0; b < blocks; b++)
                {
                    EncodeBlock(b);
                }

                throw;
            }

            if (requireLabels)
            {
                (labels, mask) = EncodeLabels(table);
            }
        }
        catch
        {
            Settle(groupTask);
            throw;
        }

        var groups = groupTask?.GetAwaiter().GetResult();
        return new EncodedArrays(ids, weights, labels, mask, groups, groupIndex?.Keys, rent ? size : -1);
    }

    /// <summary>Waits for a task whose result is no longer wanted (another error is being reported).</summary>
    private static void Settle(Task? task)
    {
        try
        {
            task?.Wait();
        }
        catch (AggregateException)
        {
            // The error already on its way is the one to report.
        }
    }

    private (float[] Labels, float[]? Mask) EncodeLabels(DataTable table)
    {
        var n = table.RowCount;
        var t = Schema.Tasks.Count;
        var labels = new float[(long)n * t];
        var mask = new float[(long)n * t];
        var anyMissing = false;
        for (var k = 0; k < t; k++)
        {
            var task = Schema.Tasks[k];
            var column = table.Column(task.SourceColumn);
            var positives = new HashSet<string>(task.PositiveValues, StringComparer.Ordinal);
            var negatives = task.NegativeValues is null ? null : new HashSet<string>(task.NegativeValues, StringComparer.Ordinal);

            // A label column holds a handful of distinct values: classify each code once.
            // 0 = not seen yet, 1 = negative, 2 = positive.
            var classes = column.Store.IsShared ? new byte[column.Store.Count] : null;
            for (var r = 0; r < n; r++)
            {
                var at = (long)r * t + k;
                var code = column.CodeOf(r);
                if (code < 0)
                {
                    if (!task.AllowMissing)
                    {
                        throw new DataFormatException(column.LocationOf(r), $"missing label for task '{task.Name}'");
                    }

                    anyMissing = true;
                    continue;
                }

                mask[at] = 1f;
                var known = classes is null ? (byte)0 : classes[code];
                if (known == 0)
                {
                    var value = column[r]!;
                    if (positives.Contains(value))
                    {
                        known = 2;
                    }
                    else if (negatives is not null && !negatives.Contains(value))
                    {
                        throw new DataFormatException(
                            column.LocationOf(r),
                            $"label '{value}' for task '{task.Name}' is neither positive ({string.Join("/", task.PositiveValues)}) nor negative ({string.Join("/", negatives)})");
                    }
                    else
                    {
                        known = 1;
                    }

                    if (classes is not null)
                    {
                        classes[code] = known;
                    }
                }

                if (known == 2)
                {
                    labels[at] = 1f;
                }
            }
        }

        return (labels, anyMissing ? mask : null);
    }

    /// <summary>
    /// Fields are independent, so they are fitted and encoded in parallel; a data error in one of
    /// them surfaces as the <see cref="DataFormatException"/> itself, not wrapped in an AggregateException.
    /// </summary>
    private static void RunParallel(int count, Action<int> body)
    {
        try
        {
            Parallel.For(0, count, body);
        }
        catch (AggregateException e)
        {
            var first = e.Flatten().InnerExceptions.OrderBy(x => x is DataFormatException ? 0 : 1).First();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
        }
    }

    /// <summary>One fitter per feature, fed chunk after chunk (a whole table is one chunk).</summary>
    private sealed class ChunkedFit
    {
        /// <summary>Rows fitted by every field before the next rows: a block's joined side rows stay in L2.</summary>
        private const int FitBlockRows = 4096;

        private readonly FeatureSchema _schema;
        private readonly FieldFitter[] _fitters;
        private long _rows;
        private string? _source;

        public ChunkedFit(FeatureSchema schema)
        {
            schema.Validate();
            _schema = schema;
            _fitters = schema.Features.Select(FieldEncoder.CreateFitter).ToArray();
        }

        public void Add(DataTable chunk)
        {
            if (_source is null)
            {
                _source = chunk.Source;
                foreach (var column in _schema.Features.SelectMany(f => f.SourceColumns))
                {
                    _ = chunk.Column(column); // a missing column is reported before any work starts
                }
            }

            _rows += chunk.RowCount;

            // Row blocks, each fitted by every field (fields in parallel): the columns of a joined
            // side-table row are stored together (see CsvTableReader), so the fields of one block read
            // side rows that are still in cache, where a whole chunk per field would miss on every
            // row of every field.
            for (var start = 0; start < chunk.RowCount; start += FitBlockRows)
            {
                var end = Math.Min(chunk.RowCount, start + FitBlockRows);
                RunParallel(_fitters.Length, i => _fitters[i].Add(chunk, start, end));
            }
        }

        public FeaturePipeline Finish()
        {
            if (_rows == 0)
            {
                throw new DataFormatException(_source ?? "training data", "the training table has no rows");
            }

            // Sorting the vocabularies is per field, so it runs in parallel as the counting did.
            var fitted = new FittedFeature[_fitters.Length];
            RunParallel(fitted.Length, i => fitted[i] = _fitters[i].Finish().Fitted);
            return new FeaturePipeline(_schema, fitted);
        }
    }

    // RentedLength: the length in use of rented Ids and Weights, or -1 when they were allocated.
    internal sealed record EncodedArrays(long[] Ids, float[]? Weights, float[]? Labels, float[]? Mask, long[]? Groups, List<string>? GroupKeys, int RentedLength = -1)
    {
        public ReadOnlySpan<long> IdSpan => RentedLength < 0 ? Ids : Ids.AsSpan(0, RentedLength);

        public ReadOnlySpan<float> WeightSpan => Weights is null ? default : RentedLength < 0 ? Weights : Weights.AsSpan(0, RentedLength);

        /// <summary>Gives rented arrays back to the pool (nothing for allocated ones).</summary>
        public void Return()
        {
            if (RentedLength >= 0)
            {
                System.Buffers.ArrayPool<long>.Shared.Return(Ids);
                if (Weights is not null)
                {
                    System.Buffers.ArrayPool<float>.Shared.Return(Weights);
                }
            }
        }
    }

    /// <summary>Group keys (user ids) → dense indices, in order of first appearance; shared across the chunks of one split.</summary>
    internal sealed class GroupIndex
    {
        private readonly Dictionary<string, long> _index = new(StringComparer.Ordinal);
        private readonly CodeMemo _byCode = new();

        public List<string> Keys { get; } = new();

        public long[] Encode(DataColumn column)
        {
            var groups = new long[column.Count];
            var memo = column.SharesValues ? _byCode.For(column) : null;
            for (var r = 0; r < column.Count; r++)
            {
                var code = column.CodeOf(r);
                if (code < 0)
                {
                    groups[r] = -1;
                    continue;
                }

                if (memo is not null && memo[code] > 0)
                {
                    groups[r] = memo[code] - 1;
                    continue;
                }

                var key = column[r]!;
                if (!_index.TryGetValue(key, out var g))
                {
                    g = Keys.Count;
                    _index[key] = g;
                    Keys.Add(key);
                }

                groups[r] = g;
                if (memo is not null)
                {
                    memo[code] = checked((int)g + 1);
                }
            }

            return groups;
        }
    }

    private sealed record PipelineDocument(int FormatVersion, FeatureSchema Schema, IReadOnlyList<FittedFeature> Fitted);
}
