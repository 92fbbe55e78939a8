using System.Text.Json.Serialization;

namespace STEM.Recommenders.Evaluation;

/// <summary>
/// Everything needed to compute per-task AUC, gAUC, log loss and calibration, in a form that merges
/// exactly: evaluate each shard of a dataset into its own state (on different machines if need be),
/// <see cref="Merge"/> the states, and <see cref="Compute"/> reports what evaluating all rows at once
/// reports. It serialises to JSON with <see cref="System.Text.Json.JsonSerializer"/>.
/// </summary>
/// <remarks>
/// The JSON form is <c>{"version": 1, "tasks": [{"task": NAME, "ungrouped": RUNS, "groups": {"keys": [...],
/// "runs": [...], ...RUNS}}]}</c>. RUNS is <c>"scores": [...], "positives": [...], "negatives": [...]</c>: distinct
/// float32 scores in ascending order with their counts. Groups are sorted by key and stored column-wise:
/// group g owns the next <c>runs[g]</c> entries of the group arrays. Scores are written in shortest
/// round-trip form, so a state read back is the state written, and equal states write equal bytes.
/// </remarks>
[JsonConverter(typeof(EvaluationStateJsonConverter))]
public sealed class EvaluationState
{
    /// <summary>The version of the JSON form this library writes and reads.</summary>
    public const int FormatVersion = 1;

    private readonly TaskMetricState[] _tasks;

    /// <summary>An empty state for the tasks.</summary>
    /// <exception cref="ArgumentException">No task, or a task name repeats.</exception>
    public EvaluationState(IReadOnlyList<string> taskNames)
    {
        ArgumentNullException.ThrowIfNull(taskNames);
        if (taskNames.Count == 0)
        {
            throw new ArgumentException("An evaluation state needs at least one task.", nameof(taskNames));
        }

        if (taskNames.GroupBy(t => t, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new ArgumentException($"Task '{repeated.Key}' appears more than once.", nameof(taskNames));
        }

        TaskNames = taskNames.ToArray();
        _tasks = TaskNames.Select(t => new TaskMetricState(t)).ToArray();
    }

    /// <summary>Task names, in output order.</summary>
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>Each task's state, in output order.</summary>
    public IReadOnlyList<TaskMetricState> Tasks => _tasks;

    /// <summary>Adds one sample of a task.</summary>
    /// <param name="task">The task's index.</param>
    /// <param name="score">The prediction.</param>
    /// <param name="label">The observed label; above 0.5 is positive.</param>
    /// <param name="group">The raw group key, or <see langword="null"/> for none.</param>
    public void Add(int task, float score, float label, string? group = null) => _tasks[task].Add(score, label, group);

    /// <summary>Adds another state's samples to this one.</summary>
    /// <exception cref="ArgumentException">The other state has other tasks, or the same tasks in another order.</exception>
    public void Merge(EvaluationState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!other.TaskNames.SequenceEqual(TaskNames, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Cannot merge a state of tasks {string.Join(", ", other.TaskNames)} into one of tasks {string.Join(", ", TaskNames)}.", nameof(other));
        }

        for (var k = 0; k < _tasks.Length; k++)
        {
            _tasks[k].Merge(other._tasks[k]);
        }
    }

    /// <summary>Every task's metrics.</summary>
    public EvaluationReport Compute() => new(_tasks.Select(t => t.Compute()).ToArray());
}
