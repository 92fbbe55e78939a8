using static TorchSharp.torch;

namespace STEM.Recommenders.Evaluation;

/// <summary>
/// Collects predictions, labels, masks and groups batch by batch, then computes exact per-task
/// metrics. Exact AUC needs every prediction, so values are kept (4 bytes per task per row).
/// </summary>
public sealed class MetricAccumulator
{
    private readonly List<float>[] _scores;
    private readonly List<float>[] _labels;
    private readonly List<long>[] _groups;

    /// <summary>Creates an empty accumulator for T tasks.</summary>
    public MetricAccumulator(IReadOnlyList<string> taskNames)
    {
        ArgumentNullException.ThrowIfNull(taskNames);
        TaskNames = taskNames;
        _scores = taskNames.Select(_ => new List<float>()).ToArray();
        _labels = taskNames.Select(_ => new List<float>()).ToArray();
        _groups = taskNames.Select(_ => new List<long>()).ToArray();
    }

    /// <summary>Task names, in output order.</summary>
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>Adds a batch.</summary>
    /// <param name="probabilities">[B, T] predictions.</param>
    /// <param name="labels">[B, T] labels.</param>
    /// <param name="mask">[B, T] observed-label mask, or <see langword="null"/>.</param>
    /// <param name="groups">[B] group indices, or <see langword="null"/>.</param>
    public void Update(Tensor probabilities, Tensor labels, Tensor? mask = null, Tensor? groups = null)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        using var _ = NewDisposeScope();
        var t = TaskNames.Count;
        var p = probabilities.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var y = labels.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var m = mask?.to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        var g = groups?.to(ScalarType.Int64).cpu().contiguous().data<long>().ToArray();
        var rows = p.Length / t;
        for (var r = 0; r < rows; r++)
        {
            for (var k = 0; k < t; k++)
            {
                var at = (r * t) + k;
                if (m is not null && m[at] < 0.5f)
                {
                    continue;
                }

                FiniteScores.Require(p[at], TaskNames[k]);
                _scores[k].Add(p[at]);
                _labels[k].Add(y[at]);
                _groups[k].Add(g?[r] ?? -1);
            }
        }
    }

    /// <summary>Adds raw values for one task (e.g. predictions computed elsewhere).</summary>
    /// <exception cref="InvalidDataException">The score is NaN or infinite.</exception>
    public void Add(int task, float score, float label, long group = -1)
    {
        FiniteScores.Require(score, TaskNames[task]);
        _scores[task].Add(score);
        _labels[task].Add(label);
        _groups[task].Add(group);
    }

    /// <summary>Computes every metric for every task.</summary>
    public EvaluationReport Compute()
    {
        var tasks = new TaskMetrics[TaskNames.Count];
        for (var k = 0; k < tasks.Length; k++)
        {
            var s = _scores[k].ToArray();
            var l = _labels[k].ToArray();
            var g = _groups[k].ToArray();
            var hasGroups = g.Any(x => x >= 0);
            tasks[k] = new TaskMetrics(
                TaskNames[k],
                s.Length,
                l.LongCount(v => v > 0.5f),
                AucMetric.Compute(s, l),
                hasGroups ? GroupAucMetric.Compute(s, l, g) : double.NaN,
                LogLossMetric.Compute(s, l),
                CalibrationMetric.Compute(s, l));
        }

        return new EvaluationReport(tasks);
    }
}
