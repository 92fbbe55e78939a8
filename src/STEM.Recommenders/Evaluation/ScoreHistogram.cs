using System.Globalization;

namespace STEM.Recommenders.Evaluation;

/// <summary>
/// The exact, mergeable summary of one task's (score, label) pairs: how many positives and negatives
/// have each distinct float32 score. AUC (ties counted as one half), log loss and calibration follow
/// from it exactly as from the pairs, and two histograms merge by adding counts, so metrics of shards
/// merged equal the metrics of all rows at once, whatever the split and the order.
/// </summary>
/// <remarks>
/// Memory grows with the number of distinct scores rather than with the rows. Not thread-safe: even
/// reads sort the pending samples.
/// </remarks>
public sealed class ScoreHistogram
{
    private const int MinimumBuffer = 16;
    private const int MaximumBuffer = 1 << 24;

    // Runs are kept in the order of their sortable keys (see Key), which is the numeric order of the
    // scores; pending samples are packed as key << 1 | label so that one primitive sort orders them.
    private uint[] _keys = [];
    private long[] _positives = [];
    private long[] _negatives = [];
    private int _runs;
    private ulong[] _pending = [];
    private int _pendingCount;

    /// <summary>Samples added.</summary>
    public long Count { get; private set; }

    /// <summary>Positive samples added.</summary>
    public long Positives { get; private set; }

    /// <summary>Negative samples added.</summary>
    public long Negatives => Count - Positives;

    /// <summary>The number of distinct scores.</summary>
    public int DistinctScores
    {
        get
        {
            Compact();
            return _runs;
        }
    }

    /// <summary>The counts per distinct score, in ascending order of score.</summary>
    public IReadOnlyList<ScoreRun> Runs
    {
        get
        {
            Compact();
            var runs = new ScoreRun[_runs];
            for (var i = 0; i < _runs; i++)
            {
                runs[i] = new ScoreRun(Score(_keys[i]), _positives[i], _negatives[i]);
            }

            return runs;
        }
    }

    /// <summary>Adds one sample; labels above 0.5 are positive, as everywhere in this library.</summary>
    public void Add(float score, float label) => Add(score, label > 0.5f);

    /// <summary>Adds one sample.</summary>
    public void Add(float score, bool positive)
    {
        if (_pendingCount == _pending.Length)
        {
            MakeRoom();
        }

        _pending[_pendingCount++] = ((ulong)Key(score) << 1) | (positive ? 1UL : 0UL);
        Count++;
        if (positive)
        {
            Positives++;
        }
    }

    /// <summary>Adds another histogram's counts to this one (the other is left as it was).</summary>
    public void Merge(ScoreHistogram other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (ReferenceEquals(other, this))
        {
            throw new ArgumentException("A histogram cannot be merged into itself.", nameof(other));
        }

        other.Compact();
        Compact();
        MergeRuns(other._keys, other._positives, other._negatives, other._runs);
        Count += other.Count;
        Positives += other.Positives;
    }

    /// <summary>A histogram with these counts, e.g. read back from a stored state.</summary>
    /// <exception cref="ArgumentException">
    /// The scores are not in strictly ascending order, or a count is negative, or a run is empty.
    /// </exception>
    public static ScoreHistogram FromRuns(IEnumerable<ScoreRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var list = runs as IReadOnlyCollection<ScoreRun> ?? runs.ToArray();
        var histogram = new ScoreHistogram
        {
            _keys = new uint[list.Count],
            _positives = new long[list.Count],
            _negatives = new long[list.Count],
        };
        var i = 0;
        foreach (var run in list)
        {
            if (run.Positives < 0 || run.Negatives < 0 || run.Positives + run.Negatives == 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Run {i} (score {run.Score}) has {run.Positives} positives and {run.Negatives} negatives; counts must be non-negative and not both zero."), nameof(runs));
            }

            var key = Key(run.Score);
            if (i > 0 && key <= histogram._keys[i - 1])
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Run {i}: score {run.Score} does not follow {Score(histogram._keys[i - 1])}; scores must be distinct and ascending."), nameof(runs));
            }

            histogram._keys[i] = key;
            histogram._positives[i] = run.Positives;
            histogram._negatives[i] = run.Negatives;
            histogram.Count += run.Positives + run.Negatives;
            histogram.Positives += run.Positives;
            i++;
        }

        histogram._runs = i;
        return histogram;
    }

    /// <summary>
    /// One histogram holding the counts of all of <paramref name="parts"/> (which are left as they were).
    /// It sorts all their runs at once, so combining many small histograms (one per user) costs
    /// O(R log R) for R runs in all, where merging them one by one would be quadratic.
    /// </summary>
    public static ScoreHistogram Combine(IEnumerable<ScoreHistogram> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        var list = parts.ToArray();
        var total = 0L;
        foreach (var part in list)
        {
            part.Compact();
            total += part._runs;
        }

        var keys = new uint[checked((int)total)];
        var positives = new long[keys.Length];
        var negatives = new long[keys.Length];
        var at = 0;
        var combined = new ScoreHistogram();
        foreach (var part in list)
        {
            Array.Copy(part._keys, 0, keys, at, part._runs);
            Array.Copy(part._positives, 0, positives, at, part._runs);
            Array.Copy(part._negatives, 0, negatives, at, part._runs);
            at += part._runs;
            combined.Count += part.Count;
            combined.Positives += part.Positives;
        }

        var order = new int[keys.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(keys, order);
        var p = new long[keys.Length];
        var n = new long[keys.Length];
        var runs = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var key = keys[i];
            var source = order[i];
            if (runs > 0 && keys[runs - 1] == key)
            {
                p[runs - 1] += positives[source];
                n[runs - 1] += negatives[source];
                continue;
            }

            keys[runs] = key;
            p[runs] = positives[source];
            n[runs] = negatives[source];
            runs++;
        }

        combined._keys = keys;
        combined._positives = p;
        combined._negatives = n;
        combined._runs = runs;
        return combined;
    }

    /// <summary>ROC AUC (the Mann-Whitney statistic, ties as one half); <see cref="double.NaN"/> when only one class is present.</summary>
    public double Auc()
    {
        Compact();
        if (Positives == 0 || Negatives == 0)
        {
            return double.NaN;
        }

        // Twice the sum over positives of (negatives below + half the negatives tied), in integers,
        // so that the result depends on the counts alone and not on how they were accumulated.
        Int128 twice = 0;
        long below = 0;
        for (var i = 0; i < _runs; i++)
        {
            twice += (Int128)_positives[i] * ((2 * below) + _negatives[i]);
            below += _negatives[i];
        }

        return (double)twice / (2.0 * Positives * Negatives);
    }

    /// <summary>Mean binary log loss with scores clipped to [eps, 1 − eps]; <see cref="double.NaN"/> for no samples.</summary>
    public double LogLoss(double eps = 1e-7)
    {
        Compact();
        if (Count == 0)
        {
            return double.NaN;
        }

        var sum = new CompensatedSum();
        for (var i = 0; i < _runs; i++)
        {
            var p = Math.Clamp(Score(_keys[i]), eps, 1 - eps);
            if (_positives[i] > 0)
            {
                sum.Add(-Math.Log(p) * _positives[i]);
            }

            if (_negatives[i] > 0)
            {
                sum.Add(-Math.Log(1 - p) * _negatives[i]);
            }
        }

        return sum.Value / Count;
    }

    /// <summary>Mean score divided by the positive rate (1 is calibrated); <see cref="double.NaN"/> when there is no positive.</summary>
    public double Calibration()
    {
        Compact();
        if (Positives == 0)
        {
            return double.NaN;
        }

        var predicted = new CompensatedSum();
        for (var i = 0; i < _runs; i++)
        {
            predicted.Add((double)Score(_keys[i]) * (_positives[i] + _negatives[i]));
        }

        return predicted.Value / Positives;
    }

    // Maps a float to a uint whose unsigned order is the float's numeric order (negative floats have
    // their bits flipped, positive ones their sign bit set). -0 and +0 compare equal, as in an AUC
    // tie, so they share the key of +0; every NaN shares one key, above +infinity.
    private static uint Key(float score)
    {
        if (score == 0)
        {
            score = 0f;
        }
        else if (float.IsNaN(score))
        {
            score = float.NaN;
        }

        var bits = BitConverter.SingleToUInt32Bits(score);
        return (bits & 0x8000_0000u) != 0 ? ~bits : bits | 0x8000_0000u;
    }

    private static float Score(uint key) =>
        BitConverter.UInt32BitsToSingle((key & 0x8000_0000u) != 0 ? key & 0x7FFF_FFFFu : ~key);

    private void MakeRoom()
    {
        // Buffer about as many samples as there are runs before sorting them in, so that each sample
        // costs O(log n) amortised; small histograms (one user's samples) stay small.
        var target = Math.Clamp(_runs, MinimumBuffer, MaximumBuffer);
        if (_pending.Length < target)
        {
            Array.Resize(ref _pending, Math.Max(4, Math.Min(target, _pending.Length * 2)));
            return;
        }

        Compact();
    }

    private void Compact()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        var pending = _pending.AsSpan(0, _pendingCount);
        pending.Sort();
        var distinct = 1;
        for (var i = 1; i < pending.Length; i++)
        {
            if (pending[i] >> 1 != pending[i - 1] >> 1)
            {
                distinct++;
            }
        }

        var keys = new uint[distinct];
        var positives = new long[distinct];
        var negatives = new long[distinct];
        var run = -1;
        for (var i = 0; i < pending.Length; i++)
        {
            var key = (uint)(pending[i] >> 1);
            if (run < 0 || keys[run] != key)
            {
                keys[++run] = key;
            }

            if ((pending[i] & 1) != 0)
            {
                positives[run]++;
            }
            else
            {
                negatives[run]++;
            }
        }

        _pendingCount = 0;
        MergeRuns(keys, positives, negatives, distinct);
    }

    private void MergeRuns(uint[] keys, long[] positives, long[] negatives, int count)
    {
        if (count == 0)
        {
            return;
        }

        var mergedKeys = new uint[_runs + count];
        var mergedPositives = new long[mergedKeys.Length];
        var mergedNegatives = new long[mergedKeys.Length];
        int a = 0, b = 0, m = 0;
        while (a < _runs || b < count)
        {
            if (b == count || (a < _runs && _keys[a] < keys[b]))
            {
                mergedKeys[m] = _keys[a];
                mergedPositives[m] = _positives[a];
                mergedNegatives[m] = _negatives[a];
                a++;
            }
            else if (a == _runs || keys[b] < _keys[a])
            {
                mergedKeys[m] = keys[b];
                mergedPositives[m] = positives[b];
                mergedNegatives[m] = negatives[b];
                b++;
            }
            else
            {
                mergedKeys[m] = keys[b];
                mergedPositives[m] = _positives[a] + positives[b];
                mergedNegatives[m] = _negatives[a] + negatives[b];
                a++;
                b++;
            }

            m++;
        }

        _keys = mergedKeys;
        _positives = mergedPositives;
        _negatives = mergedNegatives;
        _runs = m;
    }

    /// <summary>Neumaier's compensated sum: the metric of a large state does not drift with its size.</summary>
    private struct CompensatedSum
    {
        private double _sum;
        private double _compensation;

        public readonly double Value => _sum + _compensation;

        public void Add(double value)
        {
            var t = _sum + value;
            _compensation += Math.Abs(_sum) >= Math.Abs(value) ? (_sum - t) + value : (value - t) + _sum;
            _sum = t;
        }
    }
}
