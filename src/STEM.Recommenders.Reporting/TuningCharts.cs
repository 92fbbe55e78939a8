using System.Globalization;
using System.Text.Json;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Reporting;

/// <summary>
/// The pictures of a <c>stem tune</c> run, as data: each trial's validation AUC per task (ranked as the
/// table ranks them) and, when the search space has two or more options, a heatmap of the monitored
/// validation metric over the first two (the best trial of each cell when more options vary).
/// Validation only: a tuning run never evaluates the test split.
/// </summary>
public static class TuningCharts
{
    /// <summary>How many trials the bar chart shows at most (the best ones); the table lists them all.</summary>
    public const int MaxTrialsShown = 20;

    /// <summary>Every picture of the tuning report, in the order report.html shows them; empty when no trial finished.</summary>
    public static IReadOnlyList<ReportChart> For(TuningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (report.Trials.Count == 0)
        {
            return [];
        }

        var charts = new List<ReportChart> { Trials(report) };
        if (Grid(report) is { } grid)
        {
            charts.Add(grid);
        }

        return charts;
    }

    /// <summary>Validation AUC per task of each trial (categories: the trials, best first, labelled by their option values).</summary>
    public static ReportChart Trials(TuningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var paths = report.OptionPaths();
        var ranked = report.Ranked().Take(MaxTrialsShown).ToArray();
        var tasks = report.Trials[0].Validation.Tasks.Select(t => t.Task).ToArray();
        var series = tasks.Select((task, i) =>
        {
            var points = ranked.Select((trial, x) => (X: (double)x, Y: trial.Validation[task].Auc)).Where(p => double.IsFinite(p.Y)).ToArray();
            return new ChartSeries(task, points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), Colour: i);
        }).ToArray();
        var categories = ranked.Select(trial => string.Join(" · ", paths.Select(p => trial.Overrides.TryGetValue(p, out var v) ? Value(v) : "–"))).ToArray();
        var shown = ranked.Length < report.Trials.Count ? $"the best {ranked.Length} of {report.Trials.Count} trials" : $"{ranked.Length} trial{(ranked.Length == 1 ? string.Empty : "s")}";
        return new ReportChart(
            "tuning-trials",
            $"Validation AUC by trial ({shown}, best {report.Monitor} first)",
            string.Join(" · ", paths.Select(Leaf)),
            "validation AUC",
            ChartKind.Bars,
            series,
            categories,
            Caption: "Each group is one trial, labelled by its option values in the order of the axis title, ranked by the monitored validation metric as in the table; the test split is never evaluated while tuning.");
    }

    /// <summary>
    /// The monitored validation metric over the first two option paths (rows: the first, in the search
    /// space's order of values), or <see langword="null"/> when fewer than two options vary. A cell no
    /// trial reached is grey; with more options, a cell shows the best trial that has its two values.
    /// </summary>
    public static ReportChart? Grid(TuningReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var paths = report.OptionPaths();
        if (paths.Count < 2)
        {
            return null;
        }

        var (rowPath, columnPath) = (paths[0], paths[1]);
        var rowValues = Values(report, rowPath);
        var columnValues = Values(report, columnPath);
        var values = rowValues.Select(row => (IReadOnlyList<double>)columnValues.Select(column =>
        {
            var scores = report.Trials
                .Where(t => !double.IsNaN(t.Score) && Matches(t, rowPath, row) && Matches(t, columnPath, column))
                .Select(t => t.Score)
                .ToArray();
            return scores.Length == 0 ? double.NaN : report.HigherIsBetter ? scores.Max() : scores.Min();
        }).ToArray()).ToArray();
        var defined = values.SelectMany(v => v).Where(double.IsFinite).ToArray();
        var (low, high) = defined.Length == 0 ? (0.0, 1.0) : (defined.Min(), defined.Max());
        // Lighter is better either way.
        var (darkest, lightest) = report.HigherIsBetter ? (low, high) : (high, low);
        var cells = new HeatmapCells(rowValues.Select(Value).ToArray(), columnValues.Select(Value).ToArray(), values, darkest, lightest);
        var more = paths.Count > 2 ? $" (the best over {string.Join(", ", paths.Skip(2).Select(Leaf))})" : string.Empty;
        return new ReportChart(
            "tuning-grid",
            $"Validation {report.Monitor} by {Leaf(rowPath)} and {Leaf(columnPath)}{more}",
            columnPath,
            rowPath,
            ChartKind.Heatmap,
            [],
            Heatmap: cells,
            Caption: "Each cell is the monitored validation metric of the trial with that row's and column's values; lighter is better, the colours span the trials' own range, and grey cells were not tried within the budget.");
    }

    /// <summary>A path's values in the search space's order, then any other value a trial has.</summary>
    private static JsonElement[] Values(TuningReport report, string path)
    {
        var declared = report.Search.Space.TryGetValue(path, out var space) ? space : [];
        var tried = report.Trials.Where(t => t.Overrides.ContainsKey(path)).Select(t => t.Overrides[path]);
        return declared.Concat(tried).DistinctBy(v => v.GetRawText()).ToArray();
    }

    private static bool Matches(TuningTrial trial, string path, JsonElement value) =>
        trial.Overrides.TryGetValue(path, out var v) && v.GetRawText() == value.GetRawText();

    private static string Value(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString() ?? string.Empty,
        JsonValueKind.Number when value.TryGetDouble(out var d) => d.ToString("G6", CultureInfo.InvariantCulture),
        _ => value.GetRawText(),
    };

    /// <summary>The last segment of an option path: <c>training.optimizer.learningRate</c> → <c>learningRate</c>.</summary>
    private static string Leaf(string path) => path[(path.LastIndexOf('.') + 1)..];
}
