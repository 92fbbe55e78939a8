using static TorchSharp.torch;

namespace STEM.Recommenders.Evaluation;

/// <summary>
/// Reliability diagrams per task in one streaming pass: each prediction lands in one of
/// <see cref="FineBins"/> fine bins (count, sum of predictions, sum of labels), and
/// <see cref="Compute"/> merges neighbouring fine bins into about <c>bins</c> equal-mass bins.
/// </summary>
/// <remarks>
/// Equal-mass rather than equal-width bins: the predicted probabilities of recommendation tasks
/// sit in a narrow low range (positive rates of a few percent), so ten equal-width bins would put
/// nearly every row into [0, 0.1) and leave the others empty or holding a handful of rows. With
/// equal-mass bins each point of the diagram stands for about the same number of rows, so every
/// point is equally trustworthy. Quantiles are not known in advance in one pass; the fine bins,
/// equally wide in logit over [−16, 16] (each about 0.2 % of the probability it holds wide, so
/// that a task predicted at 0.3 % is resolved as finely as one at 30 %), place the bin edges
/// closely in fixed memory, and two accumulators over disjoint rows merge by adding their fine bins.
/// </remarks>
public sealed class ReliabilityAccumulator
{
    /// <summary>Fine bins, equally wide in logit over [−16, 16], that the final bins are merged from.</summary>
    public const int FineBins = 16_384;

    private const double LogitRange = 16;

    /// <summary>The default number of final bins (deciles of the predicted probability).</summary>
    public const int DefaultBins = 10;

    private readonly long[][] _counts;
    private readonly double[][] _predicted;
    private readonly double[][] _positives;

    /// <summary>Creates an empty accumulator for T tasks.</summary>
    public ReliabilityAccumulator(IReadOnlyList<string> taskNames)
    {
        ArgumentNullException.ThrowIfNull(taskNames);
        TaskNames = taskNames;
        _counts = taskNames.Select(_ => new long[FineBins]).ToArray();
        _predicted = taskNames.Select(_ => new double[FineBins]).ToArray();
        _positives = taskNames.Select(_ => new double[FineBins]).ToArray();
    }

    /// <summary>Task names, in output order.</summary>
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>Adds a batch.</summary>
    /// <param name="probabilities">[B, T] predictions.</param>
    /// <param name="labels">[B, T] labels.</param>
    /// <param name="mask">[B, T] observed-label mask, or <see langword="null"/>.</param>
    /// <exception cref="InvalidDataException">A prediction is NaN or infinite.</exception>
    public void Update(Tensor probabilities, Tensor labels, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        using var _ = NewDisposeScope();
        var t = TaskNames.Count;
        var p = probabilities.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var y = labels.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var m = mask?.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        for (var at = 0; at < p.Length; at++)
        {
            if (m is null || m[at] >= 0.5f)
            {
                Add(at % t, p[at], y[at]);
            }
        }
    }

    /// <summary>Adds one prediction of one task.</summary>
    /// <exception cref="InvalidDataException">The prediction is NaN or infinite.</exception>
    public void Add(int task, float probability, float label)
    {
        FiniteScores.Require(probability, TaskNames[task]);
        var p = Math.Clamp((double)probability, 0, 1);
        var bin = FineBinOf(p);
        _counts[task][bin]++;
        _predicted[task][bin] += p;
        _positives[task][bin] += label > 0.5f ? 1 : 0;
    }

    /// <summary>Adds another accumulator's rows (the same tasks, disjoint rows).</summary>
    /// <exception cref="ArgumentException">The tasks differ.</exception>
    public void Merge(ReliabilityAccumulator other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.TaskNames.SequenceEqual(TaskNames))
        {
            throw new ArgumentException($"Cannot merge calibration of tasks {string.Join(", ", other.TaskNames)} into {string.Join(", ", TaskNames)}.", nameof(other));
        }

        for (var k = 0; k < TaskNames.Count; k++)
        {
            for (var b = 0; b < FineBins; b++)
            {
                _counts[k][b] += other._counts[k][b];
                _predicted[k][b] += other._predicted[k][b];
                _positives[k][b] += other._positives[k][b];
            }
        }
    }

    /// <summary>The reliability diagram of every task with at most <paramref name="bins"/> equal-mass bins.</summary>
    /// <param name="bins">Bins per task; fewer come out when many rows share one prediction (a fine bin is never split).</param>
    public IReadOnlyList<TaskCalibration> Compute(int bins = DefaultBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        return Enumerable.Range(0, TaskNames.Count).Select(k => ComputeTask(k, bins)).ToArray();
    }

    private TaskCalibration ComputeTask(int task, int bins)
    {
        var counts = _counts[task];
        var total = counts.Sum();
        var result = new List<ReliabilityBin>();
        long n = 0, seen = 0;
        double predicted = 0, positives = 0;
        var lower = 0;
        for (var b = 0; b < FineBins; b++)
        {
            n += counts[b];
            predicted += _predicted[task][b];
            positives += _positives[task][b];
            // Close the bin once the rows so far reach the next multiple of total / bins.
            if (n > 0 && (seen + n) * bins >= (result.Count + 1) * total)
            {
                result.Add(new ReliabilityBin(EdgeOf(lower), EdgeOf(b + 1), n, predicted / n, positives / n));
                seen += n;
                (n, predicted, positives, lower) = (0, 0, 0, b + 1);
            }
        }

        if (result.Count > 0)
        {
            // The bins cover [0, 1] between them, empty fine bins at the top included.
            result[^1] = result[^1] with { Upper = 1 };
        }

        var ece = total == 0 ? double.NaN : result.Sum(r => (double)r.Count / total * Math.Abs(r.MeanPredicted - r.ObservedRate));
        return new TaskCalibration(TaskNames[task], total, result, ece);
    }

    private static int FineBinOf(double p)
    {
        var logit = p <= 0 ? -LogitRange : p >= 1 ? LogitRange : Math.Log(p / (1 - p));
        var position = (Math.Clamp(logit, -LogitRange, LogitRange) + LogitRange) / (2 * LogitRange);
        return Math.Min((int)(position * FineBins), FineBins - 1);
    }

    // The probability at the lower edge of fine bin b (0 for the first, 1 past the last).
    private static double EdgeOf(int b) =>
        b <= 0 ? 0 : b >= FineBins ? 1 : 1 / (1 + Math.Exp(-((2 * LogitRange * b / FineBins) - LogitRange)));
}
