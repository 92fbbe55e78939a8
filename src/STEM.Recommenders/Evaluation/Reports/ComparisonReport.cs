using System.Globalization;
using System.Text;

namespace STEM.Recommenders.Evaluation.Reports;

/// <summary>Mean and standard deviation of a metric over seeds.</summary>
/// <param name="Mean">Mean.</param>
/// <param name="StandardDeviation">Sample standard deviation (0 for one seed).</param>
/// <param name="Values">The per-seed values.</param>
public sealed record MeanStd(double Mean, double StandardDeviation, IReadOnlyList<double> Values)
{
    /// <summary>Aggregates values (NaN values are left out).</summary>
    public static MeanStd Of(IEnumerable<double> values)
    {
        var all = values.ToArray();
        var kept = all.Where(v => !double.IsNaN(v)).ToArray();
        if (kept.Length == 0)
        {
            return new MeanStd(double.NaN, double.NaN, all);
        }

        var mean = kept.Average();
        var std = kept.Length > 1 ? Math.Sqrt(kept.Sum(v => (v - mean) * (v - mean)) / (kept.Length - 1)) : 0;
        return new MeanStd(mean, std, all);
    }

    /// <summary>"0.7123 ± 0.0041".</summary>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Mean:F4} ± {StandardDeviation:F4}");
}

/// <summary>Per model and task, test metrics over seeds.</summary>
/// <param name="Model">Model name, or the variant's name for a named variant.</param>
/// <param name="Task">Task name.</param>
/// <param name="Auc">Test AUC.</param>
/// <param name="GAuc">Test gAUC.</param>
/// <param name="LogLoss">Test log loss.</param>
/// <param name="ValidationAuc">Validation AUC (the selection criterion's view).</param>
public sealed record ComparisonRow(string Model, string Task, MeanStd Auc, MeanStd GAuc, MeanStd LogLoss, MeanStd ValidationAuc);

/// <summary>
/// Several models × seeds on one split: per-task mean ± std of test metrics, with the runs behind
/// them, as JSON and as a Markdown table.
/// </summary>
/// <param name="Runs">Every run.</param>
/// <param name="NegativeTransfer">Negative-transfer analyses (one per task pair), when a single-task baseline ran.</param>
public sealed record ComparisonReport(IReadOnlyList<ModelRunReport> Runs, IReadOnlyList<NegativeTransferReport>? NegativeTransfer = null)
{
    /// <summary>The aggregated rows, models in run order, tasks in output order.</summary>
    public IReadOnlyList<ComparisonRow> Rows =>
        Runs.GroupBy(r => r.Variant ?? r.Model)
            .SelectMany(g => g.First().Tasks.Select(task => new ComparisonRow(
                g.Key,
                task,
                MeanStd.Of(g.Select(r => r.Test[task].Auc)),
                MeanStd.Of(g.Select(r => r.Test[task].GAuc)),
                MeanStd.Of(g.Select(r => r.Test[task].LogLoss)),
                MeanStd.Of(g.Select(r => r.Validation[task].Auc)))))
            .ToArray();

    /// <summary>A Markdown report: test AUC table (mean ± std over seeds), gAUC table, run details.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var tasks = Runs.Count == 0 ? [] : Runs[0].Tasks;
        var models = Runs.Select(r => r.Variant ?? r.Model).Distinct().ToArray();
        var seeds = Runs.Select(r => r.Seed).Distinct().Count();
        var rows = Rows;
        void Table(string title, Func<ComparisonRow, MeanStd> metric)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"### {title} (mean ± std over {seeds} seed{(seeds == 1 ? string.Empty : "s")})").AppendLine();
            text.Append("| model |").AppendJoin(string.Empty, tasks.Select(t => $" {t} |")).AppendLine();
            text.Append("| --- |").AppendJoin(string.Empty, tasks.Select(_ => " ---: |")).AppendLine();
            foreach (var model in models)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {model} |");
                foreach (var task in tasks)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {metric(rows.Single(r => r.Model == model && r.Task == task))} |");
                }

                text.AppendLine();
            }

            text.AppendLine();
        }

        Table("Test AUC", r => r.Auc);
        Table("Test gAUC", r => r.GAuc);
        Table("Test log loss", r => r.LogLoss);
        if (Runs.Count > 0 && Runs.All(r => r.Calibration.Count > 0))
        {
            // Reports loaded from a metrics.json written before calibration was kept have none.
            var ece = Runs.GroupBy(r => r.Variant ?? r.Model).SelectMany(g => tasks.Select(task => (Model: g.Key, Task: task, Ece: MeanStd.Of(g.Select(r => r.Calibration.FirstOrDefault(c => c.Task == task)?.ExpectedCalibrationError ?? double.NaN))))).ToArray();
            Table("Test expected calibration error", row => ece.Single(e => e.Model == row.Model && e.Task == row.Task).Ece);
        }

        text.AppendLine("### Runs").AppendLine();
        text.AppendLine("| model | seed | best epoch | steps | train rows/s | parameters | mean test AUC |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: |");
        foreach (var run in Runs)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {run.Variant ?? run.Model} | {run.Seed} | {BestEpochs(run)} | {run.Steps} | {run.SamplesPerSecond:N0} | {run.Parameters:N0} | {run.Test.MeanAuc:F4} |");
        }

        foreach (var analysis in NegativeTransfer ?? [])
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"### Negative transfer: {analysis.TaskA} vs {analysis.TaskB} (τ = {analysis.Ratio}), test AUC per feedback group").AppendLine();
            var names = analysis.Groups[0].AucA.Keys.ToArray();
            text.Append("| group | samples | users |").AppendJoin(string.Empty, names.Select(n => $" {n}: {analysis.TaskA} | {n}: {analysis.TaskB} |")).AppendLine();
            text.Append("| --- | ---: | ---: |").AppendJoin(string.Empty, names.Select(_ => " ---: | ---: |")).AppendLine();
            foreach (var group in analysis.Groups)
            {
                text.Append(CultureInfo.InvariantCulture, $"| {group.Group} | {group.Samples} | {group.Users} |");
                foreach (var n in names)
                {
                    text.Append(CultureInfo.InvariantCulture, $" {group.AucA[n]:F4} | {group.AucB[n]:F4} |");
                }

                text.AppendLine();
            }
        }

        return text.ToString();
    }

    /// <summary>The best epoch, or each task's ("is_click 3, is_like 5") when tasks were chosen on their own.</summary>
    private static string BestEpochs(ModelRunReport run) =>
        run.TaskBestEpochs is { } perTask
            ? string.Join(", ", perTask.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")))
            : run.BestEpoch.ToString(CultureInfo.InvariantCulture);
}
