using System.Globalization;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Features;

/// <summary>
/// Fits one field on the training split and encodes raw values into (id, weight) slots. Ids are
/// local to the field (0 = OOV or missing); the caller adds the field's global offset.
/// </summary>
internal abstract class FieldEncoder
{
    protected FieldEncoder(FittedFeature fitted)
    {
        Fitted = fitted;
    }

    public FittedFeature Fitted { get; }

    /// <summary>Whether encoded weights can differ from 1 (numeric values, pooled multi-values, padding).</summary>
    public abstract bool ProducesWeights { get; }

    /// <summary>
    /// A fitter that sees the training rows chunk by chunk and holds only what the fit needs
    /// (counts per distinct value, running moments), so a training split larger than memory can be fitted.
    /// </summary>
    public static FieldFitter CreateFitter(FeatureSpec spec) => spec switch
    {
        CategoricalFeature c => new CategoricalEncoder.Fitter(c),
        NumericFeature n => new NumericEncoder.Fitter(n),
        MultiValueFeature m => new MultiValueEncoder.Fitter(m),
        DenseVectorFeature v => new DenseVectorEncoder.Fitter(v),
        _ => throw new ArgumentException($"Unknown feature type {spec.GetType().Name}."),
    };

    public static FieldEncoder FromFitted(FittedFeature fitted) => fitted.Spec switch
    {
        CategoricalFeature => new CategoricalEncoder(fitted),
        NumericFeature => new NumericEncoder(fitted),
        MultiValueFeature => new MultiValueEncoder(fitted),
        DenseVectorFeature => new DenseVectorEncoder(fitted),
        _ => throw new ArgumentException($"Unknown feature type {fitted.Spec.GetType().Name}."),
    };

    /// <summary>
    /// Writes the slots of rows <paramref name="start"/> to <paramref name="end"/> (exclusive) at
    /// <c>ids[r * stride + firstSlot ..]</c> (and weights, when not null), reading the feature's
    /// source column of <paramref name="table"/>. Rows are encoded in blocks so that every field
    /// writes into the same few cache-resident rows rather than across the whole chunk.
    /// </summary>
    public virtual void Encode(DataTable table, int start, int end, long[] ids, float[]? weights, int stride, int firstSlot, long offset) =>
        Encode(table.Column(Fitted.Spec.SourceColumn), start, end, ids, weights, stride, firstSlot, offset);

    /// <summary>Writes the slots of a block of rows for a single-column feature.</summary>
    protected abstract void Encode(DataColumn column, int start, int end, long[] ids, float[]? weights, int stride, int firstSlot, long offset);

    protected static double ParseNumber(DataColumn column, int row, string value, string feature)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new DataFormatException(column.LocationOf(row), $"'{value}' is not a number (feature '{feature}')");
        }

        return number;
    }

    /// <summary>
    /// A raw value as a number; <see langword="null"/> when missing. A column of typed numbers (read
    /// from Parquet or Arrow) gives its number as it is, with no text made or parsed; a column of
    /// text is parsed. Either way a value that is not a finite number is an error naming the row.
    /// </summary>
    protected static double? RawNumber(DataColumn column, int row, string feature)
    {
        var store = column.Store;
        if (store.HoldsNumbers)
        {
            var code = column.CodeOf(row);
            if (code < 0)
            {
                return null;
            }

            var number = store.NumberAt(code);
            return double.IsFinite(number) ? number : throw new DataFormatException(column.LocationOf(row), $"'{store[code]}' is not a number (feature '{feature}')");
        }

        var raw = column[row];
        return raw is null ? null : ParseNumber(column, row, raw, feature);
    }

    /// <summary>A raw value as a number after the optional transform; <see langword="null"/> when missing.</summary>
    protected static double? Number(DataColumn column, int row, ValueTransform? transform, string feature)
    {
        if (RawNumber(column, row, feature) is not { } value)
        {
            return null;
        }

        if (transform is null)
        {
            return value;
        }

        return transform.Apply(value) ?? throw new DataFormatException(column.LocationOf(row), $"'{column[row]}' is outside the domain of {transform.Kind} (feature '{feature}')");
    }

    /// <summary>
    /// <see cref="Number(DataColumn, int, ValueTransform?, string)"/> through <paramref name="known"/>,
    /// the numbers already derived per code (from <see cref="CodeSlots{T}.For"/>, taken once per block;
    /// null when rows do not share codes): a dictionary-encoded text column is then parsed once per
    /// distinct value, not per row. A value that fails is never memoized, so the first row that has
    /// it reports it, as without the memo.
    /// </summary>
    protected static double? Number(DataColumn column, int row, ValueTransform? transform, string feature, double[]? known)
    {
        if (known is null)
        {
            return Number(column, row, transform, feature);
        }

        var code = column.CodeOf(row);
        if (code < 0)
        {
            return null;
        }

        if (!double.IsNaN(known[code]))
        {
            return known[code];
        }

        var value = Number(column, row, transform, feature)!.Value;
        known[code] = value;
        return value;
    }

    /// <summary>The key of a code already validated by <see cref="Key"/> (no location needed: it cannot fail); a typed store's number is read, not its text.</summary>
    protected static string? KeyOf(ValueStore store, int code, ValueTransform? transform)
    {
        if (transform is null)
        {
            return store[code];
        }

        if (store.HoldsNumbers)
        {
            return transform.Apply(store.NumberAt(code))?.ToString(CultureInfo.InvariantCulture);
        }

        return store[code] is { } raw ? transform.Apply(double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture))?.ToString(CultureInfo.InvariantCulture) : null;
    }

    /// <summary>The categorical key of a raw value after an optional numeric transform.</summary>
    protected static string? Key(DataColumn column, int row, ValueTransform? transform, string feature) =>
        transform is null ? column[row] : Number(column, row, transform, feature)?.ToString(CultureInfo.InvariantCulture);

    /// <summary>The values seen at least <paramref name="minCount"/> times, most frequent first, ties in ordinal order.</summary>
    /// <remarks>
    /// Ties are ordered by each value's first eight UTF-16 code units, packed big-endian into two
    /// 64-bit numbers, and by the strings only where those agree: a vocabulary of millions of ids,
    /// most of them seen equally often, then sorts with few string comparisons (the sort was the
    /// longest step at the end of a 10 M-row fit).
    /// </remarks>
    internal static string[] BuildVocabulary(Dictionary<string, int> counts, int minCount)
    {
        var entries = new VocabularyEntry[counts.Count];
        var n = 0;
        foreach (var (value, count) in counts)
        {
            if (count >= minCount)
            {
                entries[n++] = new VocabularyEntry(count, Prefix(value, 0), Prefix(value, 4), value);
            }
        }

        var kept = entries.AsSpan(0, n);
        kept.Sort(static (a, b) =>
            a.Count != b.Count ? b.Count.CompareTo(a.Count)
            : a.Head != b.Head ? a.Head.CompareTo(b.Head)
            : a.Next != b.Next ? a.Next.CompareTo(b.Next)
            : string.CompareOrdinal(a.Value, b.Value));
        var vocabulary = new string[n];
        for (var i = 0; i < n; i++)
        {
            vocabulary[i] = kept[i].Value;
        }

        return vocabulary;
    }

    /// <summary>
    /// Four UTF-16 code units from <paramref name="start"/>, big-endian, padded with zeros: comparing
    /// two such numbers orders the values as an ordinal comparison of those code units does (a value
    /// that ends sooner sorts first, as a shorter string it begins does). Values equal in every
    /// packed unit are compared as strings.
    /// </summary>
    private static ulong Prefix(string value, int start)
    {
        ulong key = 0;
        for (var i = start; i < start + 4; i++)
        {
            key = (key << 16) | (i < value.Length ? value[i] : 0u);
        }

        return key;
    }

    private readonly record struct VocabularyEntry(int Count, ulong Head, ulong Next, string Value);

    protected static Dictionary<string, int> IndexOf(IReadOnlyList<string> vocabulary, int first)
    {
        var index = new Dictionary<string, int>(vocabulary.Count, StringComparer.Ordinal);
        for (var i = 0; i < vocabulary.Count; i++)
        {
            index[vocabulary[i]] = i + first;
        }

        return index;
    }
}

/// <summary>Accumulates what one field's fit needs, chunk by chunk, in row order.</summary>
internal abstract class FieldFitter
{
    private object? _validatedStore;

    /// <summary>Adds rows <paramref name="start"/> to <paramref name="end"/> (exclusive) of a chunk of training rows; a chunk's rows arrive in order.</summary>
    public abstract void Add(DataTable chunk, int start, int end);

    /// <summary>The fitted encoder, once every chunk was added.</summary>
    public abstract FieldEncoder Finish();

    /// <summary>
    /// Validates every row of the side table joined columns read (once per side table), before the
    /// joined rows are: a bad value in a row no training row joins would break the same model later,
    /// on other data, so it is an error now. Unjoined columns are validated row by row as they are fitted.
    /// </summary>
    /// <param name="chunk">The chunk of training rows.</param>
    /// <param name="columns">Columns of the chunk that one feature reads; columns read from another file than the chunk's are joined side-table columns.</param>
    /// <param name="validate">Validates one side-table row of the columns' storage (throws a <see cref="DataFormatException"/>).</param>
    protected void ValidateSideRows(DataTable chunk, IReadOnlyList<DataColumn> columns, Action<DataColumn[], int> validate)
    {
        if (columns.Any(c => c.IsDirect || c.Path == chunk.Source) || ReferenceEquals(_validatedStore, columns[0].Store))
        {
            return;
        }

        var stored = columns.Select(c => c.Stored()).ToArray();
        for (var s = 0; s < stored[0].Count; s++)
        {
            validate(stored, s);
        }

        _validatedStore = columns[0].Store;
    }
}

internal sealed class CategoricalEncoder : FieldEncoder
{
    private readonly CategoricalFeature _spec;
    private readonly Dictionary<string, int>? _index;

    public CategoricalEncoder(FittedFeature fitted)
        : base(fitted)
    {
        _spec = (CategoricalFeature)fitted.Spec;
        if (_spec.HashBuckets is null)
        {
            _index = IndexOf(fitted.Vocabulary ?? throw new ArgumentException($"Feature '{_spec.Name}' has no vocabulary."), 1);
        }
    }

    public override bool ProducesWeights => false;

    internal sealed class Fitter(CategoricalFeature spec) : FieldFitter
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly CodeCounts _byCode = new();

        public override void Add(DataTable chunk, int start, int end)
        {
            var column = chunk.Column(spec.SourceColumn);
            if (spec.Transform is not null)
            {
                ValidateSideRows(chunk, [column], (c, r) => _ = Key(c[0], r, spec.Transform, spec.Name));
            }

            if (column.SharesValues)
            {
                // Count codes, not strings, and turn the counts into values once per store. A value is
                // still validated the first time a row reaches it, in row order, so errors are the same.
                _byCode.Add(column, start, end, Flush, r => _ = Key(column, r, spec.Transform, spec.Name));
                return;
            }

            for (var r = start; r < end; r++)
            {
                // With hashing nothing is counted, but the transform's domain is still validated.
                var key = Key(column, r, spec.Transform, spec.Name);
                if (key is not null && spec.HashBuckets is null)
                {
                    System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _)++;
                }
            }
        }

        public override FieldEncoder Finish()
        {
            _byCode.Flush(Flush);
            return spec.HashBuckets is not null
                ? new CategoricalEncoder(new FittedFeature { Spec = spec })
                : new CategoricalEncoder(new FittedFeature { Spec = spec, Vocabulary = BuildVocabulary(_counts, spec.MinCount) });
        }

        private void Flush(ValueStore store, int code, int count)
        {
            if (spec.HashBuckets is null && KeyOf(store, code, spec.Transform) is { } key)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _) += count;
            }
        }
    }

    protected override void Encode(DataColumn column, int start, int end, long[] ids, float[]? weights, int stride, int firstSlot, long offset)
    {
        if (column.SharesValues)
        {
            // A dictionary-encoded or joined column: each code's id is computed once and reused for
            // every row (and every later chunk) that has it.
            var memo = _memo.For(column);
            for (var r = start; r < end; r++)
            {
                var code = column.CodeOf(r);
                long local;
                if (code < 0)
                {
                    local = 0;
                }
                else if (memo[code] is var known and > 0)
                {
                    local = known - 1;
                }
                else
                {
                    local = LocalId(column, r);
                    memo[code] = (int)local + 1;
                }

                ids[(long)r * stride + firstSlot] = offset + local;
            }
        }
        else
        {
            for (var r = start; r < end; r++)
            {
                ids[(long)r * stride + firstSlot] = offset + LocalId(column, r);
            }
        }

        if (weights is not null)
        {
            for (var r = start; r < end; r++)
            {
                weights[(long)r * stride + firstSlot] = 1f;
            }
        }
    }

    private long LocalId(DataColumn column, int row)
    {
        var key = Key(column, row, _spec.Transform, _spec.Name);
        return key is null ? 0 : _index is null ? 1 + (long)(StableHash(key) % (ulong)_spec.HashBuckets!.Value) : _index.GetValueOrDefault(key);
    }

    /// <summary>Ids per code of the last store encoded (shared by concurrent encodes; see <see cref="CodeMemo"/>).</summary>
    private readonly CodeMemo _memo = new();

    /// <summary>FNV-1a over UTF-16 code units: stable across processes and platforms, unlike string.GetHashCode.</summary>
    internal static ulong StableHash(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash;
    }
}

internal sealed class NumericEncoder : FieldEncoder
{
    private readonly NumericFeature _spec;
    private readonly double[]? _boundaries;

    public NumericEncoder(FittedFeature fitted)
        : base(fitted)
    {
        _spec = (NumericFeature)fitted.Spec;
        _boundaries = fitted.Boundaries?.ToArray();
    }

    public override bool ProducesWeights => _spec.Buckets is null;

    /// <summary>Numbers per code of the last store encoded (shared by concurrent encodes; see <see cref="NumberMemo"/>).</summary>
    private readonly NumberMemo _memo = new();

    /// <remarks>
    /// Scaling statistics are running moments (Welford), so memory does not grow with the rows.
    /// Quantile buckets need every value: a bucketed feature holds one double per training row
    /// while it is fitted (80 MB for 10 M rows).
    /// </remarks>
    internal sealed class Fitter(NumericFeature spec) : FieldFitter
    {
        private readonly List<double>? _values = spec.Buckets is null ? null : new List<double>();
        private readonly NumberMemo _memo = new();
        private long _count;
        private double _mean;
        private double _m2;
        private double _min = double.PositiveInfinity;
        private double _max = double.NegativeInfinity;

        public override void Add(DataTable chunk, int start, int end)
        {
            var column = chunk.Column(spec.SourceColumn);
            ValidateSideRows(chunk, [column], (c, r) => _ = Number(c[0], r, spec.Transform, spec.Name));
            var known = column.SharesValues ? _memo.For(column) : null;
            for (var r = start; r < end; r++)
            {
                if (Number(column, r, spec.Transform, spec.Name, known) is not { } v)
                {
                    continue;
                }

                if (_values is not null)
                {
                    _values.Add(v);
                    continue;
                }

                _count++;
                var delta = v - _mean;
                _mean += delta / _count;
                _m2 += delta * (v - _mean);
                _min = Math.Min(_min, v);
                _max = Math.Max(_max, v);
            }
        }

        public override FieldEncoder Finish()
        {
            if (spec.Buckets is { } buckets)
            {
                var values = _values!;
                values.Sort();
                var boundaries = new SortedSet<double>();
                for (var b = 1; b < buckets && values.Count > 0; b++)
                {
                    boundaries.Add(values[(int)Math.Min(values.Count - 1, (long)values.Count * b / buckets)]);
                }

                return new NumericEncoder(new FittedFeature { Spec = spec, Boundaries = boundaries.ToArray() });
            }

            double mean = 0, std = 1, min = 0, max = 1;
            if (_count > 0)
            {
                mean = _mean;
                var variance = _m2 / _count;
                std = variance > 0 ? Math.Sqrt(variance) : 1;
                min = _min;
                max = _max;
            }

            return new NumericEncoder(new FittedFeature
            {
                Spec = spec,
                Mean = mean,
                StandardDeviation = std,
                Minimum = min,
                Maximum = max,
            });
        }
    }

    protected override void Encode(DataColumn column, int start, int end, long[] ids, float[]? weights, int stride, int firstSlot, long offset)
    {
        var known = column.SharesValues ? _memo.For(column) : null;
        for (var r = start; r < end; r++)
        {
            var at = (long)r * stride + firstSlot;
            var value = Number(column, r, _spec.Transform, _spec.Name, known);
            if (_boundaries is not null)
            {
                ids[at] = offset + (value is { } v ? 1 + UpperBound(_boundaries, v) : 0);
                if (weights is not null)
                {
                    weights[at] = 1f;
                }

                continue;
            }

            ids[at] = offset;

            // A missing value gets weight 0: the same as imputing the training mean when standardised.
            weights![at] = value is { } x ? (float)Scale(x) : 0f;
        }
    }

    private double Scale(double x) => _spec.Scaling switch
    {
        NumericScaling.Standardize => (x - Fitted.Mean!.Value) / Fitted.StandardDeviation!.Value,
        NumericScaling.MinMax => Fitted.Maximum > Fitted.Minimum ? (x - Fitted.Minimum!.Value) / (Fitted.Maximum!.Value - Fitted.Minimum!.Value) : 0,
        _ => x,
    };

    /// <summary>Number of boundaries ≤ value, i.e. the bucket index in [0, boundaries].</summary>
    private static int UpperBound(double[] boundaries, double value)
    {
        int lo = 0, hi = boundaries.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >> 1;
            if (boundaries[mid] <= value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

internal sealed class MultiValueEncoder : FieldEncoder
{
    private readonly MultiValueFeature _spec;
    private readonly Dictionary<string, int> _index;

    public MultiValueEncoder(FittedFeature fitted)
        : base(fitted)
    {
        _spec = (MultiValueFeature)fitted.Spec;
        _index = IndexOf(fitted.Vocabulary ?? throw new ArgumentException($"Feature '{_spec.Name}' has no vocabulary."), 2);
        _memo = new CodeMemo(_spec.MaxLength + 1);
    }

    public override bool ProducesWeights => true;

    internal sealed class Fitter(MultiValueFeature spec) : FieldFitter
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly CodeCounts _byCode = new();

        public override void Add(DataTable chunk, int start, int end)
        {
            var column = chunk.Column(spec.SourceColumn);
            if (column.SharesValues)
            {
                _byCode.Add(column, start, end, FlushCode, static _ => { });
                return;
            }

            for (var r = start; r < end; r++)
            {
                if (column[r] is { } raw)
                {
                    Flush(raw, 1);
                }
            }
        }

        public override FieldEncoder Finish()
        {
            _byCode.Flush(FlushCode);
            return new MultiValueEncoder(new FittedFeature { Spec = spec, Vocabulary = BuildVocabulary(_counts, spec.MinCount) });
        }

        private void FlushCode(ValueStore store, int code, int count)
        {
            if (store[code] is { } raw)
            {
                Flush(raw, count);
            }
        }

        private void Flush(string raw, int count)
        {
            foreach (var value in Split(spec, raw))
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, value, out _) += count;
            }
        }
    }

    protected override void Encode(DataColumn column, int start, int end, long[] ids, float[]? weights, int stride, int firstSlot, long offset)
    {
        // Per code: [count + 1, id of value 0, id of value 1, ...] (the count is written last).
        var width = _spec.MaxLength + 1;
        var memo = column.SharesValues ? _memo.For(column) : null;
        Span<int> local = stackalloc int[_spec.MaxLength];
        for (var r = start; r < end; r++)
        {
            var at = (long)r * stride + firstSlot;
            int n;
            var code = column.CodeOf(r);
            if (code < 0)
            {
                n = 0;
            }
            else if (memo is not null && Volatile.Read(ref memo[(long)code * width]) is var known and > 0)
            {
                n = known - 1;
                memo.AsSpan((int)((long)code * width) + 1, n).CopyTo(local);
            }
            else
            {
                var values = Split(_spec, column[r]);
                n = values.Count;
                for (var s = 0; s < n; s++)
                {
                    local[s] = _index.GetValueOrDefault(values[s], 1);
                }

                if (memo is not null)
                {
                    local[..n].CopyTo(memo.AsSpan((int)((long)code * width) + 1));
                    Volatile.Write(ref memo[(long)code * width], n + 1);
                }
            }

            // No value at all pools to the OOV row, so that the field still contributes a vector.
            var weight = _spec.Pooling == Pooling.Mean && n > 0 ? 1f / n : 1f;
            for (var s = 0; s < _spec.MaxLength; s++)
            {
                if (s < n)
                {
                    ids[at + s] = offset + local[s];
                    weights![at + s] = weight;
                }
                else if (s == 0)
                {
                    ids[at] = offset + 1;
                    weights![at] = 1f;
                }
                else
                {
                    ids[at + s] = offset;
                    weights![at + s] = 0f;
                }
            }
        }
    }

    /// <summary>Ids per code of the last store encoded.</summary>
    private readonly CodeMemo _memo;

    private static List<string> Split(MultiValueFeature spec, string? raw)
    {
        var values = new List<string>();
        if (raw is null)
        {
            return values;
        }

        foreach (var part in raw.Split(spec.Separator, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (values.Count == spec.MaxLength)
            {
                break;
            }

            values.Add(part);
        }

        return values;
    }
}
