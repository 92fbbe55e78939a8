namespace STEM.Recommenders.Evaluation;

/// <summary>
/// The mergeable metric state of one task: a <see cref="ScoreHistogram"/> per group (user) for gAUC and
/// one for the samples without a group. The histogram of all samples is their combination, so it is
/// not stored twice.
/// </summary>
public sealed class TaskMetricState
{
    private readonly Dictionary<string, ScoreHistogram> _groups = new(StringComparer.Ordinal);

    /// <summary>An empty state for the task.</summary>
    public TaskMetricState(string task)
    {
        ArgumentException.ThrowIfNullOrEmpty(task);
        Task = task;
    }

    /// <summary>The task's name.</summary>
    public string Task { get; }

    /// <summary>Samples without a group (no group column, or a missing key).</summary>
    public ScoreHistogram Ungrouped { get; } = new();

    /// <summary>Each group's samples, by the group's raw key.</summary>
    public IReadOnlyDictionary<string, ScoreHistogram> Groups => _groups;

    /// <summary>Adds one sample with an observed label.</summary>
    /// <param name="score">The prediction.</param>
    /// <param name="label">The label; above 0.5 is positive.</param>
    /// <param name="group">The raw group key, or <see langword="null"/> for none.</param>
    /// <exception cref="InvalidDataException">The score is NaN or infinite.</exception>
    public void Add(float score, float label, string? group = null)
    {
        FiniteScores.Require(score, Task);
        (group is null ? Ungrouped : Group(group)).Add(score, label);
    }

    /// <summary>The histogram of a group, created empty when the group is new.</summary>
    public ScoreHistogram Group(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (!_groups.TryGetValue(key, out var histogram))
        {
            _groups[key] = histogram = new ScoreHistogram();
        }

        return histogram;
    }

    /// <summary>Adds another state of the same task; groups with the same key become one group.</summary>
    /// <exception cref="ArgumentException">The other state is of another task.</exception>
    public void Merge(TaskMetricState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!string.Equals(other.Task, Task, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Cannot merge the state of task '{other.Task}' into task '{Task}'.", nameof(other));
        }

        Ungrouped.Merge(other.Ungrouped);
        foreach (var (key, histogram) in other._groups)
        {
            Group(key).Merge(histogram);
        }
    }

    /// <summary>The histogram of every sample, grouped or not.</summary>
    public ScoreHistogram All() => ScoreHistogram.Combine(_groups.Values.Append(Ungrouped));

    /// <summary>The task's metrics, exactly as <see cref="MetricAccumulator"/> defines them.</summary>
    public TaskMetrics Compute()
    {
        var all = All();

        // Groups in key order: a state's metrics then depend only on its counts, never on the order
        // in which shards were merged, so a merged state reports bit for bit what a single one does.
        double weighted = 0;
        long weight = 0;
        foreach (var key in _groups.Keys.Order(StringComparer.Ordinal))
        {
            var group = _groups[key];
            var auc = group.Auc();
            if (double.IsNaN(auc))
            {
                continue;
            }

            weighted += auc * group.Count;
            weight += group.Count;
        }

        return new TaskMetrics(
            Task,
            all.Count,
            all.Positives,
            all.Auc(),
            weight == 0 ? double.NaN : weighted / weight,
            all.LogLoss(),
            all.Calibration());
    }
}
