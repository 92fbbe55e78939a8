using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Reporting;

/// <summary>
/// Writes a report's pictures (PNG and SVG) and report.html into a directory, beside the Markdown
/// and JSON that the runner writes. The one call for <c>stem train</c>, <c>stem compare</c> and
/// anything else that ends with a <see cref="ComparisonReport"/>, and for <c>stem tune</c>'s <see cref="TuningReport"/>.
/// </summary>
public static class ReportWriter
{
    /// <summary>The name of the HTML page.</summary>
    public const string HtmlFile = "report.html";

    /// <summary>Writes the pictures of one training run and report.html.</summary>
    /// <param name="run">The run.</param>
    /// <param name="directory">Where to write; created when missing. Files of the same names are replaced.</param>
    /// <param name="title">The page title; by default "Training report: MODEL (seed S)".</param>
    public static ReportFiles Write(ModelRunReport run, string directory, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(run);
        return Write(new ComparisonReport([run]), directory, title ?? $"Training report: {run.Model} (seed {run.Seed})");
    }

    /// <summary>Writes the pictures of a comparison and report.html.</summary>
    /// <param name="report">The comparison.</param>
    /// <param name="directory">Where to write; created when missing. Files of the same names are replaced.</param>
    /// <param name="title">The page title; by default "Comparison: MODELS × N seeds".</param>
    public static ReportFiles Write(ComparisonReport report, string directory, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var seeds = report.Runs.Select(r => r.Seed).Distinct().Count();
        title ??= $"Comparison: {string.Join(", ", report.Runs.Select(r => r.Variant ?? r.Model).Distinct())} × {seeds} seed{(seeds == 1 ? string.Empty : "s")}";
        return Write(ReportCharts.For(report), report.ToMarkdown(), directory, title);
    }

    /// <summary>Writes the pictures of a tuning run (<see cref="TuningCharts"/>) and report.html beside tuning.json and tuning.md.</summary>
    /// <param name="report">The tuning report.</param>
    /// <param name="directory">Where to write; created when missing. Files of the same names are replaced.</param>
    /// <param name="title">The page title; by default "Tuning: MODEL, N trials".</param>
    public static ReportFiles Write(TuningReport report, string directory, string? title = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        var models = string.Join(", ", report.Trials.Select(t => t.Model).Distinct());
        title ??= $"Tuning: {models}, {report.Trials.Count} trial{(report.Trials.Count == 1 ? string.Empty : "s")}";
        return Write(TuningCharts.For(report), report.ToMarkdown(), directory, title);
    }

    /// <summary>Renders each picture into <paramref name="directory"/> and writes report.html with the Markdown's tables.</summary>
    private static ReportFiles Write(IReadOnlyList<ReportChart> pictures, string markdown, string directory, string title)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory.CreateDirectory(directory);
        var charts = pictures.Select(chart => ChartRenderer.Save(chart, directory)).ToArray();
        var html = Path.Combine(directory, HtmlFile);
        File.WriteAllText(html, ReportHtml.Build(title, markdown, charts));
        return new ReportFiles(html, charts);
    }
}
