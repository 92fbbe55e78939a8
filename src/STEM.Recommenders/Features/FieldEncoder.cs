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
    /// Writes row r's slots at <c>ids[r * stride + firstSlot ..]</c> (and weights, when not null),
    /// reading the feature's source column of <paramref name="table"/>.
    /// </summary>
    public virtual void Encode(DataTable table, long[] ids, float[]? weights, int stride, int firstSlot, long offset) =>
        Encode(table.Column(Fitted.Spec.SourceColumn), ids, weights, stride, firstSlot, offset);

    /// <summary>Writes row r's slots for a single-column feature.</summary>
    protected abstract void Encode(DataColumn column, long[] ids, float[]? weights, int stride, int firstSlot, long offset);

    protected static double ParseNumber(DataColumn column, int row, string value, string feature)
    {
        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new DataFormatException(column.LocationOf(row), $"'{value}' is not a number (feature '{feature}')");
        }

        return number;
    }

    /// <summary>A raw value as a number after the optional transform; <see langword="null"/> when missing.</summary>
    protected static double? Number(DataColumn column, int row, ValueTransform? transform, string feature)
    {
        var raw = column[row];
        if (raw is null)
        {
            return null;
        }

        var value = ParseNumber(column, row, raw, feature);
        if (transform is null)
        {
            return value;
        }

        return transform.Apply(value) ?? throw new DataFormatException(column.LocationOf(row), $"'{raw}' is outside the domain of {transform.Kind} (feature '{feature}')");
    }

    /// <summary>The key of a raw value already validated by <see cref="Key"/> (no location needed: it cannot fail).</summary>
    protected static string? KeyOf(string? raw, ValueTransform? transform)
    {
        if (raw is null || transform is null)
        {
            return raw;
        }

        var value = double.Parse(raw, NumberStyles.Float, CultureInfo.InvariantCulture);
        return transform.Apply(value)?.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>The categorical key of a raw value after an optional numeric transform.</summary>
    protected static string? Key(DataColumn column, int row, ValueTransform? transform, string feature) =>
        transform is null ? column[row] : Number(column, row, transform, feature)?.ToString(CultureInfo.InvariantCulture);

    protected static string[] BuildVocabulary(Dictionary<string, int> counts, int minCount) =>
        counts.Where(kv => kv.Value >= minCount)
            .OrderByDescending(kv => kv.Value)
            .ThenBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => kv.Key)
            .ToArray();

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
    /// <summary>Adds a chunk of training rows.</summary>
    public abstract void Add(DataTable chunk);

    /// <summary>The fitted encoder, once every chunk was added.</summary>
    public abstract FieldEncoder Finish();
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
        private string?[]? _lastSource;
        private string?[]? _countedSource;
        private int[]? _sourceCounts;

        public override void Add(DataTable chunk)
        {
            var column = chunk.Column(spec.SourceColumn);
            var map = column.RowMap;
            if (map is not null && ReferenceEquals(column.SourceValues, _lastSource))
            {
                AddBySideRow(column, map);
                return;
            }

            _lastSource = map is null ? null : column.SourceValues;
            for (var r = 0; r < column.Count; r++)
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
            Flush();
            return spec.HashBuckets is not null
                ? new CategoricalEncoder(new FittedFeature { Spec = spec })
                : new CategoricalEncoder(new FittedFeature { Spec = spec, Vocabulary = BuildVocabulary(_counts, spec.MinCount) });
        }

        /// <summary>
        /// A joined column seen again (a streamed log joins every chunk to the same side table): count
        /// side-table rows, not strings, and turn the counts into values once at the end. A row's value
        /// is still validated the first time a log row reaches it, in log order, so errors are the same.
        /// </summary>
        private void AddBySideRow(DataColumn column, int[] map)
        {
            if (!ReferenceEquals(_countedSource, column.SourceValues))
            {
                Flush();
                _countedSource = column.SourceValues;
                _sourceCounts = new int[column.SourceValues.Length];
            }

            var counts = _sourceCounts!;
            for (var r = 0; r < column.Count; r++)
            {
                var source = map[r];
                if (source >= 0 && counts[source]++ == 0)
                {
                    _ = Key(column, r, spec.Transform, spec.Name);
                }
            }
        }

        private void Flush()
        {
            if (_sourceCounts is null || spec.HashBuckets is not null)
            {
                return;
            }

            var values = _countedSource!;
            for (var source = 0; source < _sourceCounts.Length; source++)
            {
                if (_sourceCounts[source] > 0 && KeyOf(values[source], spec.Transform) is { } key)
                {
                    System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, key, out _) += _sourceCounts[source];
                }
            }

            _sourceCounts = null;
            _countedSource = null;
        }
    }

    protected override void Encode(DataColumn column, long[] ids, float[]? weights, int stride, int firstSlot, long offset)
    {
        var cache = SideRowCache(column);
        var map = column.RowMap;
        for (var r = 0; r < column.Count; r++)
        {
            long local;
            if (cache is not null)
            {
                // A joined column: the id of each side-table row is computed once and reused for
                // every log row (and every later chunk) that joins to it.
                var source = map![r];
                if (source < 0)
                {
                    local = 0;
                }
                else if (cache[source] is var known and > 0)
                {
                    local = known - 1;
                }
                else
                {
                    local = LocalId(column, r);
                    cache[source] = (int)local + 1;
                }
            }
            else
            {
                local = LocalId(column, r);
            }

            ids[(long)r * stride + firstSlot] = offset + local;
            if (weights is not null)
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

    /// <summary>
    /// The per-side-row id cache for a joined column, once the same side table has been seen on a
    /// previous call (a streamed log joins every chunk to it); null otherwise. The holder is swapped
    /// atomically and a cached id is the same whichever thread writes it, so concurrent encodes
    /// (a shared <see cref="Serving.Predictor"/>) stay correct.
    /// </summary>
    private int[]? SideRowCache(DataColumn column)
    {
        if (column.RowMap is null)
        {
            return null;
        }

        var memo = Volatile.Read(ref _memo);
        if (memo is null || !ReferenceEquals(memo.Values, column.SourceValues))
        {
            Volatile.Write(ref _memo, new SideRowMemo(column.SourceValues));
            return null;
        }

        return memo.Ids ??= new int[memo.Values.Length];
    }

    private SideRowMemo? _memo;

    private sealed class SideRowMemo(string?[] values)
    {
        public string?[] Values { get; } = values;

        public int[]? Ids { get; set; }
    }

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

    /// <remarks>
    /// Scaling statistics are running moments (Welford), so memory does not grow with the rows.
    /// Quantile buckets need every value: a bucketed feature holds one double per training row
    /// while it is fitted (80 MB for 10 M rows).
    /// </remarks>
    internal sealed class Fitter(NumericFeature spec) : FieldFitter
    {
        private readonly List<double>? _values = spec.Buckets is null ? null : new List<double>();
        private long _count;
        private double _mean;
        private double _m2;
        private double _min = double.PositiveInfinity;
        private double _max = double.NegativeInfinity;

        public override void Add(DataTable chunk)
        {
            var column = chunk.Column(spec.SourceColumn);
            for (var r = 0; r < column.Count; r++)
            {
                if (Number(column, r, spec.Transform, spec.Name) is not { } v)
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

    protected override void Encode(DataColumn column, long[] ids, float[]? weights, int stride, int firstSlot, long offset)
    {
        for (var r = 0; r < column.Count; r++)
        {
            var at = (long)r * stride + firstSlot;
            var value = Number(column, r, _spec.Transform, _spec.Name);
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
    }

    public override bool ProducesWeights => true;

    internal sealed class Fitter(MultiValueFeature spec) : FieldFitter
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);

        public override void Add(DataTable chunk)
        {
            var column = chunk.Column(spec.SourceColumn);
            for (var r = 0; r < column.Count; r++)
            {
                foreach (var value in Split(spec, column[r]))
                {
                    System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_counts, value, out _)++;
                }
            }
        }

        public override FieldEncoder Finish() =>
            new MultiValueEncoder(new FittedFeature { Spec = spec, Vocabulary = BuildVocabulary(_counts, spec.MinCount) });
    }

    protected override void Encode(DataColumn column, long[] ids, float[]? weights, int stride, int firstSlot, long offset)
    {
        for (var r = 0; r < column.Count; r++)
        {
            var at = (long)r * stride + firstSlot;
            var values = Split(_spec, column[r]);
            var n = values.Count;

            // No value at all pools to the OOV row, so that the field still contributes a vector.
            var weight = _spec.Pooling == Pooling.Mean && n > 0 ? 1f / n : 1f;
            for (var s = 0; s < _spec.MaxLength; s++)
            {
                if (s < n)
                {
                    ids[at + s] = offset + _index.GetValueOrDefault(values[s], 1);
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
