namespace STEM.Recommenders.Evaluation;

/// <summary>One task's metrics on one split.</summary>
/// <param name="Task">Task name.</param>
/// <param name="Count">Samples with an observed label.</param>
/// <param name="Positives">Positive samples.</param>
/// <param name="Auc">ROC AUC.</param>
/// <param name="GAuc">Group AUC (NaN without groups).</param>
/// <param name="LogLoss">Log loss.</param>
/// <param name="Calibration">Mean prediction / positive rate.</param>
public sealed record TaskMetrics(string Task, long Count, long Positives, double Auc, double GAuc, double LogLoss, double Calibration);

/// <summary>Per-task metrics and their means over tasks.</summary>
/// <param name="Tasks">One entry per task, in output order.</param>
public sealed record EvaluationReport(IReadOnlyList<TaskMetrics> Tasks)
{
    /// <summary>Mean AUC over tasks (tasks with an undefined AUC are left out).</summary>
    public double MeanAuc => Mean(t => t.Auc);

    /// <summary>Mean gAUC over tasks.</summary>
    public double MeanGAuc => Mean(t => t.GAuc);

    /// <summary>Mean log loss over tasks.</summary>
    public double MeanLogLoss => Mean(t => t.LogLoss);

    /// <summary>The metrics of a task by name.</summary>
    public TaskMetrics this[string task] =>
        Tasks.FirstOrDefault(t => t.Task == task) ?? throw new KeyNotFoundException($"No task named '{task}'; tasks: {string.Join(", ", Tasks.Select(t => t.Task))}.");

    private double Mean(Func<TaskMetrics, double> metric)
    {
        var values = Tasks.Select(metric).Where(v => !double.IsNaN(v)).ToArray();
        return values.Length == 0 ? double.NaN : values.Average();
    }
}
