using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>Human-readable result tables (values as plain text, never as Spectre markup).</summary>
internal static class Render
{
    public static string Metric(double value) =>
        double.IsNaN(value) ? "n/a" : value.ToString("F4", CultureInfo.InvariantCulture);

    public static string Metric(MeanStd value) =>
        double.IsNaN(value.Mean) ? "n/a" : string.Create(CultureInfo.InvariantCulture, $"{value.Mean:F4} ± {value.StandardDeviation:F4}");

    public static string Count(long value) => value.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Adds columns: the first <paramref name="labels"/> left-aligned (names), the rest right-aligned (numbers).</summary>
    public static Table Columns(this Table table, int labels, params string[] headers)
    {
        for (var i = 0; i < headers.Length; i++)
        {
            var column = new TableColumn(Markup.Escape(headers[i]));
            table.AddColumn(i < labels ? column : column.RightAligned());
        }

        return table;
    }

    public static Table Row(this Table table, params string[] cells) =>
        table.AddRow(cells.Select(c => (IRenderable)new Text(c)).ToArray());

    /// <summary>Per task: validation AUC and every test metric of one training run.</summary>
    public static Table TrainingTable(Session session, ModelRunReport report)
    {
        var table = session.NewTable().Columns(1, "task", "valid AUC", "test AUC", "test gAUC", "test log loss", "calibration", "test rows", "positives");
        foreach (var test in report.Test.Tasks)
        {
            var validation = report.Validation.Tasks.FirstOrDefault(t => t.Task == test.Task);
            table.Row(test.Task, Metric(validation?.Auc ?? double.NaN), Metric(test.Auc), Metric(test.GAuc), Metric(test.LogLoss), Metric(test.Calibration), Count(test.Count), Count(test.Positives));
        }

        table.Row("mean", Metric(report.Validation.MeanAuc), Metric(report.Test.MeanAuc), Metric(report.Test.MeanGAuc), Metric(report.Test.MeanLogLoss), string.Empty, string.Empty, string.Empty);
        return table;
    }

    /// <summary>Per task: every metric of one evaluation.</summary>
    public static Table EvaluationTable(Session session, EvaluationReport report)
    {
        var table = session.NewTable().Columns(1, "task", "rows", "positives", "AUC", "gAUC", "log loss", "calibration");
        foreach (var task in report.Tasks)
        {
            table.Row(task.Task, Count(task.Count), Count(task.Positives), Metric(task.Auc), Metric(task.GAuc), Metric(task.LogLoss), Metric(task.Calibration));
        }

        table.Row("mean", string.Empty, string.Empty, Metric(report.MeanAuc), Metric(report.MeanGAuc), Metric(report.MeanLogLoss), string.Empty);
        return table;
    }

    /// <summary>The trials of a tuning, best first: rank, trial, one column per option path, the validation monitor and each task's validation AUC.</summary>
    public static Table TuningTable(Session session, TuningReport report)
    {
        var paths = report.Trials.SelectMany(t => t.Overrides.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();
        var tasks = report.Trials.Count == 0 ? [] : report.Trials[0].Validation.Tasks.Select(t => t.Task).ToArray();
        var table = session.NewTable().Columns(2 + paths.Length, ["rank", "trial", .. paths, $"valid {report.Monitor}", .. tasks.Select(t => $"valid AUC {t}"), "best epoch", "time"]);
        var rank = 0;
        foreach (var trial in report.Ranked())
        {
            table.Row([
                (++rank).ToString(CultureInfo.InvariantCulture),
                trial.Number.ToString(CultureInfo.InvariantCulture) + (trial.Number == report.Best ? " best" : string.Empty) + (trial.Reused ? " (earlier)" : string.Empty),
                .. paths.Select(p => trial.Overrides.TryGetValue(p, out var value) ? value.GetRawText() : string.Empty),
                Metric(trial.Score),
                .. tasks.Select(t => Metric(trial.Validation[t].Auc)),
                trial.BestEpoch.ToString(CultureInfo.InvariantCulture),
                trial.TrainingTime.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture),
            ]);
        }

        return table;
    }

    /// <summary>The title of <see cref="ComparisonTable"/>.</summary>
    public static string ComparisonTitle(ComparisonReport report)
    {
        var seeds = report.Runs.Select(r => r.Seed).Distinct().Count();
        return string.Create(CultureInfo.InvariantCulture, $"Test metrics, mean ± std over {seeds} seed{(seeds == 1 ? string.Empty : "s")}");
    }

    /// <summary>Per model and task: test metrics (and validation AUC) as mean ± std over seeds.</summary>
    public static Table ComparisonTable(Session session, ComparisonReport report)
    {
        var table = session.NewTable().Columns(2, "model", "task", "test AUC", "test gAUC", "test log loss", "valid AUC");
        foreach (var row in report.Rows)
        {
            table.Row(row.Model, row.Task, Metric(row.Auc), Metric(row.GAuc), Metric(row.LogLoss), Metric(row.ValidationAuc));
        }

        return table;
    }
}
