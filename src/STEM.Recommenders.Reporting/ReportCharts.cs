using System.Globalization;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Evaluation.Reports;

namespace STEM.Recommenders.Reporting;

/// <summary>
/// Describes the pictures of a training or comparison report as data (<see cref="ReportChart"/>):
/// validation AUC and loss by epoch, test AUC by model with ± std, negative-transfer groups, the
/// gate-mass heatmap and a reliability diagram per task. Curves and reliability diagrams show each
/// model's first run (its first seed): one line per seed would bury the comparison, and the
/// spread over seeds is what the error bars of the test AUC show.
/// </summary>
public static class ReportCharts
{
    /// <summary>The pictures of one training run: the same as of a comparison of that run alone.</summary>
    public static IReadOnlyList<ReportChart> For(ModelRunReport run)
    {
        ArgumentNullException.ThrowIfNull(run);
        return For(new ComparisonReport([run]));
    }

    /// <summary>Every picture the report has data for, in the order report.html shows them.</summary>
    public static IReadOnlyList<ReportChart> For(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var charts = new List<ReportChart>();
        charts.AddRange(ValidationAuc(report));
        charts.AddRange(Loss(report));
        if (report.Runs.Count > 0)
        {
            charts.Add(TestAuc(report));
        }

        foreach (var analysis in report.NegativeTransfer ?? [])
        {
            charts.Add(NegativeTransfer(analysis, analysis.TaskA));
            charts.Add(NegativeTransfer(analysis, analysis.TaskB));
        }

        if (GateMass(report) is { } gates)
        {
            charts.Add(gates);
        }

        charts.AddRange(Calibration(report));
        return charts;
    }

    /// <summary>
    /// Validation AUC by epoch: for one model, one chart with a series per task; for several, one
    /// chart per task with a series per model. Empty when no run kept its history.
    /// </summary>
    public static IReadOnlyList<ReportChart> ValidationAuc(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = FirstRuns(report).Where(r => r.History.Count > 0).ToArray();
        if (runs.Length == 0)
        {
            return [];
        }

        var (x, xLabel) = HistoryAxis(runs);
        const string caption = "Validation AUC at each evaluation during training; the best checkpoint is the one whose monitored metric is highest.";
        if (runs.Length == 1)
        {
            var run = runs[0];
            var series = run.Tasks.Select((task, i) => Curve(task, run.History, x, h => h.ValidationAuc, task, i, secondary: false)).ToArray();
            return [new ReportChart("validation-auc", $"Validation AUC by {xLabel}: {run.Variant ?? run.Model}", xLabel, "validation AUC", ChartKind.Lines, series, Caption: caption)];
        }

        return report.Runs[0].Tasks.Select(task => new ReportChart(
            $"validation-auc-{Slug(task)}",
            $"Validation AUC of {task} by {xLabel}",
            xLabel,
            "validation AUC",
            ChartKind.Lines,
            runs.Select((run, i) => Curve(run.Variant ?? run.Model, run.History, x, h => h.ValidationAuc, task, i, secondary: false)).ToArray(),
            Caption: caption + " One line per model (its first seed).")).ToArray();
    }

    /// <summary>
    /// Training loss (solid) and validation log loss (dashed) by epoch, laid out as
    /// <see cref="ValidationAuc"/>. Empty when no run kept its history.
    /// </summary>
    public static IReadOnlyList<ReportChart> Loss(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = FirstRuns(report).Where(r => r.History.Count > 0).ToArray();
        if (runs.Length == 0)
        {
            return [];
        }

        var (x, xLabel) = HistoryAxis(runs);
        const string caption = "Filled markers: mean training loss since the previous evaluation; open markers and a paler line: validation log loss. A validation curve that turns up while the training curve keeps falling is overfitting.";
        if (runs.Length == 1)
        {
            var run = runs[0];
            var series = run.Tasks.SelectMany((task, i) => new[]
            {
                Curve($"{task} train", run.History, x, h => h.TrainLoss, task, i, secondary: false),
                Curve($"{task} validation", run.History, x, h => h.ValidationLogLoss, task, i, secondary: true),
            }).ToArray();
            return [new ReportChart("loss", $"Loss by {xLabel}: {run.Variant ?? run.Model}", xLabel, "log loss", ChartKind.Lines, series, Caption: caption)];
        }

        return report.Runs[0].Tasks.Select(task => new ReportChart(
            $"loss-{Slug(task)}",
            $"Loss of {task} by {xLabel}",
            xLabel,
            "log loss",
            ChartKind.Lines,
            runs.SelectMany((run, i) => new[]
            {
                Curve($"{run.Variant ?? run.Model} train", run.History, x, h => h.TrainLoss, task, i, secondary: false),
                Curve($"{run.Variant ?? run.Model} validation", run.History, x, h => h.ValidationLogLoss, task, i, secondary: true),
            }).ToArray(),
            Caption: caption + " Colours are models (their first seed).")).ToArray();
    }

    /// <summary>Test AUC per task (the categories), one bar per model: the mean over seeds, the error bar ± their standard deviation.</summary>
    public static ReportChart TestAuc(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var tasks = report.Runs.Count == 0 ? [] : report.Runs[0].Tasks;
        var rows = report.Rows;
        var models = report.Runs.Select(r => r.Variant ?? r.Model).Distinct().ToArray();
        var seeds = report.Runs.Select(r => r.Seed).Distinct().Count();
        var series = models.Select((model, i) =>
        {
            var points = tasks.Select((task, t) => (X: (double)t, Row: rows.Single(r => r.Model == model && r.Task == task)))
                .Where(p => double.IsFinite(p.Row.Auc.Mean))
                .ToArray();
            return new ChartSeries(model, points.Select(p => p.X).ToArray(), points.Select(p => p.Row.Auc.Mean).ToArray(), points.Select(p => p.Row.Auc.StandardDeviation).ToArray(), Colour: i);
        }).ToArray();
        return new ReportChart(
            "test-auc",
            seeds == 1 ? "Test AUC by model (1 seed)" : $"Test AUC by model (mean ± std over {seeds} seeds)",
            "task",
            "test AUC",
            ChartKind.Bars,
            series,
            tasks.ToArray(),
            Caption: "Bars are the mean test AUC of the best checkpoints, error bars ± the standard deviation over seeds; the AUC axis does not start at 0.");
    }

    /// <summary>
    /// One task of a negative-transfer analysis: the test AUC of every model in each feedback group
    /// (the categories). A multi-task model below the single-task baseline in a group is negative transfer there.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="task"/> is neither of the analysis' tasks.</exception>
    public static ReportChart NegativeTransfer(NegativeTransferReport analysis, string task)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var first = task == analysis.TaskA;
        if (!first && task != analysis.TaskB)
        {
            throw new ArgumentException($"The analysis is of '{analysis.TaskA}' and '{analysis.TaskB}', not '{task}'.", nameof(task));
        }

        var groups = analysis.Groups;
        var models = groups.Count == 0 ? [] : (first ? groups[0].AucA : groups[0].AucB).Keys.ToArray();
        var series = models.Select((model, i) =>
        {
            var points = groups.Select((g, k) => (X: (double)k, Auc: (first ? g.AucA : g.AucB).GetValueOrDefault(model, double.NaN)))
                .Where(p => double.IsFinite(p.Auc))
                .ToArray();
            var name = model == analysis.Baseline ? $"{model} (baseline)" : model;
            return new ChartSeries(name, points.Select(p => p.X).ToArray(), points.Select(p => p.Auc).ToArray(), Colour: i);
        }).ToArray();
        var categories = groups.Select(g => string.Create(CultureInfo.InvariantCulture, $"{GroupName(analysis, g.Group)} ({g.Samples:N0} rows)")).ToArray();
        var ratio = analysis.Ratio.ToString("0.##", CultureInfo.InvariantCulture);
        return new ReportChart(
            $"negative-transfer-{Slug(analysis.TaskA)}-vs-{Slug(analysis.TaskB)}-{Slug(task)}",
            $"Test AUC of {task} by feedback group ({analysis.TaskA} vs {analysis.TaskB}, τ = {ratio})",
            "users' relative positive feedback on the training split",
            $"test AUC of {task}",
            ChartKind.Bars,
            series,
            categories,
            Caption: $"Test rows grouped by their user's relative positive feedback on {analysis.TaskA} and {analysis.TaskB}; a multi-task model below the single-task baseline in a group is negative transfer there. The AUC axis does not start at 0.");
    }

    /// <summary>
    /// Gate mass: for every gated model (mean over its seeds) and task, the share of the task gate's
    /// weight on its own experts, on other tasks' experts and on shared experts. Null when no run has gates.
    /// </summary>
    public static ReportChart? GateMass(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var gated = report.Runs.Where(r => r.Gates is not null).GroupBy(r => r.Variant ?? r.Model).ToArray();
        if (gated.Length == 0)
        {
            return null;
        }

        var rows = new List<string>();
        var values = new List<IReadOnlyList<double>>();
        foreach (var model in gated)
        {
            foreach (var task in model.First().Gates!.Tasks.Select(t => t.Task))
            {
                var masses = model.Select(r => r.Gates!.Tasks.Single(t => t.Task == task)).ToArray();
                rows.Add($"{model.Key}: {task}");
                values.Add([masses.Average(m => m.OwnExperts), masses.Average(m => m.OtherTasksExperts), masses.Average(m => m.SharedExperts)]);
            }
        }

        return new ReportChart(
            "gate-mass",
            "Gate mass by task and expert group (test split)",
            "experts",
            "model: task gate",
            ChartKind.Heatmap,
            [],
            Heatmap: new HeatmapCells(rows, ["own experts", "other tasks' experts", "shared experts"], values),
            Caption: "Each row is a task's gate in the last gated layer, averaged over the test rows (and over seeds); its three cells add up to 1. For STEM-Net, the mass on other tasks' experts is how much the all-forward path is used.");
    }

    /// <summary>
    /// A reliability diagram per task on the test split: one series per model (its first seed) of
    /// mean predicted probability against observed positive rate per equal-mass bin, and the diagonal.
    /// Empty when no run kept its calibration.
    /// </summary>
    public static IReadOnlyList<ReportChart> Calibration(ComparisonReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var runs = FirstRuns(report).Where(r => r.Calibration.Count > 0).ToArray();
        if (runs.Length == 0)
        {
            return [];
        }

        var charts = new List<ReportChart>();
        foreach (var task in runs[0].Tasks)
        {
            var series = new List<ChartSeries>();
            foreach (var (run, i) in runs.Select((r, i) => (r, i)))
            {
                var calibration = run.Calibration.FirstOrDefault(c => c.Task == task);
                if (calibration is null)
                {
                    continue;
                }

                var bins = calibration.Bins;
                var name = string.Create(CultureInfo.InvariantCulture, $"{run.Variant ?? run.Model} (ECE {calibration.ExpectedCalibrationError:0.0000})");
                series.Add(new ChartSeries(name, bins.Select(b => b.MeanPredicted).ToArray(), bins.Select(b => b.ObservedRate).ToArray(), Counts: bins.Select(b => b.Count).ToArray(), Colour: i));
            }

            // The diagonal spans the populated range only: predictions of a task with a 3 % positive
            // rate sit near 0, and a 0..1 diagonal would squeeze every point into one corner.
            var top = series.SelectMany(s => s.X.Concat(s.Y)).DefaultIfEmpty(1).Max();
            top = Math.Min(1, Math.Max(top * 1.05, 1e-3));
            series.Add(new ChartSeries("perfect calibration", [0, top], [0, top], Colour: -1, Secondary: true));
            charts.Add(new ReportChart(
                $"calibration-{Slug(task)}",
                $"Reliability diagram of {task} (test split)",
                "mean predicted probability",
                "observed positive rate",
                ChartKind.Reliability,
                series,
                Caption: $"Test rows in about {ReliabilityAccumulator.DefaultBins} bins of equal size by predicted probability; a point above the diagonal means the model under-predicts there. ECE is the row-weighted mean distance from the diagonal."));
        }

        return charts;
    }

    /// <summary>A file-name-safe form of a task name: lower-case letters, digits and hyphens.</summary>
    internal static string Slug(string name)
    {
        var chars = name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-').ToArray();
        var slug = string.Join('-', new string(chars).Split('-', StringSplitOptions.RemoveEmptyEntries));
        return slug.Length == 0 ? "task" : slug;
    }

    private static ModelRunReport[] FirstRuns(ComparisonReport report) =>
        report.Runs.GroupBy(r => r.Variant ?? r.Model).Select(g => g.First()).ToArray();

    // Epochs on the x axis when each epoch has one evaluation; with several evaluations per epoch
    // (evaluation every N steps) their epochs repeat, so steps are used instead.
    private static (Func<TrainingHistoryEntry, double> X, string Label) HistoryAxis(IEnumerable<ModelRunReport> runs) =>
        runs.All(r => r.History.Select(h => h.Epoch).Distinct().Count() == r.History.Count)
            ? (h => h.Epoch, "epoch")
            : (h => h.Step, "training step");

    private static ChartSeries Curve(string name, IReadOnlyList<TrainingHistoryEntry> history, Func<TrainingHistoryEntry, double> x, Func<TrainingHistoryEntry, IReadOnlyDictionary<string, double>> metric, string task, int colour, bool secondary)
    {
        var points = history.Select(h => (X: x(h), Y: metric(h).GetValueOrDefault(task, double.NaN))).Where(p => double.IsFinite(p.Y)).ToArray();
        return new ChartSeries(name, points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Colour: colour, Secondary: secondary);
    }

    private static string GroupName(NegativeTransferReport analysis, FeedbackGroup group) => group switch
    {
        FeedbackGroup.Comparable => "comparable",
        FeedbackGroup.ADominant => $"{analysis.TaskA}-dominant",
        FeedbackGroup.BDominant => $"{analysis.TaskB}-dominant",
        _ => "cold users",
    };
}
