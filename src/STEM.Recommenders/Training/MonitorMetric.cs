using STEM.Recommenders.Evaluation;

namespace STEM.Recommenders.Training;

/// <summary>
/// The validation metric that drives early stopping, the learning-rate schedule and the choice of
/// the best checkpoint: "mean_auc" (default), "mean_gauc", "mean_logloss", or one task's
/// "auc:TASK", "gauc:TASK", "logloss:TASK".
/// </summary>
public sealed class MonitorMetric
{
    private readonly Func<EvaluationReport, double> _value;

    private MonitorMetric(string text, Func<EvaluationReport, double> value, bool higherIsBetter)
    {
        Text = text;
        _value = value;
        HigherIsBetter = higherIsBetter;
    }

    /// <summary>The metric as written.</summary>
    public string Text { get; }

    /// <summary>Whether larger values are better (AUC) or smaller (log loss).</summary>
    public bool HigherIsBetter { get; }

    /// <summary>Parses a monitor for a model with these tasks.</summary>
    /// <exception cref="ArgumentException">Unknown metric or task; the message lists the valid forms.</exception>
    public static MonitorMetric Parse(string text, IReadOnlyList<string> taskNames)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(taskNames);
        var trimmed = text.Trim().ToLowerInvariant();
        switch (trimmed)
        {
            case "mean_auc":
                return new MonitorMetric(trimmed, r => r.MeanAuc, true);
            case "mean_gauc":
                return new MonitorMetric(trimmed, r => r.MeanGAuc, true);
            case "mean_logloss":
                return new MonitorMetric(trimmed, r => r.MeanLogLoss, false);
        }

        var parts = text.Trim().Split(':', 2);
        if (parts.Length == 2 && taskNames.Contains(parts[1]))
        {
            var task = parts[1];
            switch (parts[0].ToLowerInvariant())
            {
                case "auc":
                    return new MonitorMetric(text, r => r[task].Auc, true);
                case "gauc":
                    return new MonitorMetric(text, r => r[task].GAuc, true);
                case "logloss":
                    return new MonitorMetric(text, r => r[task].LogLoss, false);
            }
        }

        throw new ArgumentException(
            $"Unknown monitor '{text}'; use mean_auc, mean_gauc, mean_logloss, or auc:TASK, gauc:TASK, logloss:TASK with TASK one of {string.Join(", ", taskNames)}.",
            nameof(text));
    }

    /// <summary>
    /// The monitor of one task's own model when a model is trained as one model per task: the same
    /// metric on that task ("mean_auc" and "auc:OTHER" become "auc:TASK").
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="text"/> is not a valid monitor for these tasks, or <paramref name="task"/> is not one of them.</exception>
    public static string ForTask(string text, IReadOnlyList<string> taskNames, string task)
    {
        ArgumentNullException.ThrowIfNull(task);
        _ = Parse(text, taskNames);
        if (!taskNames.Contains(task))
        {
            throw new ArgumentException($"Unknown task '{task}'; the tasks are {string.Join(", ", taskNames)}.", nameof(task));
        }

        var trimmed = text.Trim();
        var kind = trimmed.StartsWith("mean_", StringComparison.OrdinalIgnoreCase) ? trimmed["mean_".Length..] : trimmed.Split(':', 2)[0];
        return $"{kind.ToLowerInvariant()}:{task}";
    }

    /// <summary>The monitored value in a report.</summary>
    public double Value(EvaluationReport report) => _value(report);

    /// <summary>Whether <paramref name="candidate"/> improves on <paramref name="best"/> (NaN never does).</summary>
    public bool Improves(double candidate, double? best) =>
        !double.IsNaN(candidate) && (best is null || (HigherIsBetter ? candidate > best : candidate < best));
}
