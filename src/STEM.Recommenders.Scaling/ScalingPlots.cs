using System.Globalization;
using ScottPlot;

namespace STEM.Recommenders.Scaling;

/// <summary>
/// Scaling-law plots written as PNG and SVG (ScottPlot 5). Logarithmic axes are drawn as log10 of
/// the values with ticks labelled in the original units, since ScottPlot 5 has no log axis.
/// </summary>
public static class ScalingPlots
{
    private const int Width = 900;
    private const int Height = 600;
    private const int FitPoints = 100;

    /// <summary>
    /// Loss against compute on log–log axes: the runs of each series as points, the compute-efficient
    /// frontier of each series as a highlighted line, and the fitted law (when given) as a line.
    /// </summary>
    /// <param name="runs">The runs; those with a non-finite loss are left out.</param>
    /// <param name="fit">The law fitted to loss against compute, or null to draw none.</param>
    /// <param name="directory">The folder to write <c>{name}.png</c> and <c>{name}.svg</c> into; created when missing.</param>
    /// <param name="name">The base file name.</param>
    /// <returns>What was drawn and where.</returns>
    /// <exception cref="ArgumentException">No run has a finite loss, or a compute or loss is not positive.</exception>
    public static PlotDescription LossVersusCompute(IEnumerable<ScalingRun> runs, PowerLawFit? fit, string directory, string name = "loss-vs-compute")
    {
        var finite = Prepare(runs, ScalingVariable.Compute, directory, name);
        var plot = new Plot();
        var series = new List<PlotSeries>();
        var palette = new ScottPlot.Palettes.Category10();
        var groups = finite.GroupBy(r => r.Series).OrderBy(g => g.Key, StringComparer.Ordinal).ToList();
        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i].OrderBy(r => r.Compute).ToList();
            var label = groups.Count == 1 && group[0].Series.Length == 0 ? "runs" : $"runs ({groups[i].Key})";
            var points = plot.Add.ScatterPoints(LogOf(group, r => r.Compute), LogOf(group, r => r.Loss));
            points.LegendText = label;
            points.Color = palette.GetColor(2 * i).WithAlpha(0.6);
            points.MarkerSize = 7;
            series.Add(new PlotSeries(label, group.Count, "runs"));

            var frontier = ComputeFrontier.Of(group);
            var frontierLabel = label.Replace("runs", "frontier", StringComparison.Ordinal);
            var line = plot.Add.Scatter(LogOf(frontier, r => r.Compute), LogOf(frontier, r => r.Loss));
            line.LegendText = frontierLabel;
            line.Color = palette.GetColor(2 * i + 1);
            line.LineWidth = 2.5f;
            line.MarkerSize = 10;
            line.MarkerShape = MarkerShape.OpenCircle;
            series.Add(new PlotSeries(frontierLabel, frontier.Count, "frontier"));
        }
        var fitSeries = AddFit(plot, fit, finite.Min(r => r.Compute), finite.Max(r => r.Compute), "C");
        if (fitSeries is not null)
        {
            series.Add(fitSeries);
        }

        var yLogs = finite.Select(r => Math.Log10(r.Loss)).ToList();
        if (fit is not null)
        {
            // The fitted curve may leave the data's range at the ends; keep it on the plot.
            yLogs.Add(Math.Log10(fit.Predict(finite.Min(r => r.Compute))));
            yLogs.Add(Math.Log10(fit.Predict(finite.Max(r => r.Compute))));
        }
        var title = "Loss vs compute (log–log)";
        var xLabel = ScalingVariable.Compute.Label();
        const string yLabel = "held-out InfoNCE loss";
        SetLogAxes(plot, finite.Select(r => Math.Log10(r.Compute)), yLogs, logY: true);
        return Save(plot, directory, name, title, xLabel, yLabel, series);
    }

    /// <summary>
    /// Loss against a chosen variable on a logarithmic x axis (linear loss axis), one line of points
    /// per group, e.g. loss against training users with one line per model size.
    /// </summary>
    /// <param name="runs">The runs; those with a non-finite loss are left out.</param>
    /// <param name="x">The variable on the x axis.</param>
    /// <param name="groupBy">The variable whose values make the groups (one series each).</param>
    /// <param name="directory">The folder to write <c>{name}.png</c> and <c>{name}.svg</c> into; created when missing.</param>
    /// <param name="name">The base file name; by default <c>loss-vs-{variable}</c>, e.g. <c>loss-vs-batch-size</c>.</param>
    /// <param name="title">The plot title; by default "Loss vs {x} by {group}".</param>
    /// <returns>What was drawn and where; series are named like <c>N = 1.2M</c>, in increasing order.</returns>
    /// <exception cref="ArgumentException">No run has a finite loss, or an x value is not positive.</exception>
    public static PlotDescription LossVersus(IEnumerable<ScalingRun> runs, ScalingVariable x, ScalingVariable groupBy, string directory, string? name = null, string? title = null)
    {
        name ??= "loss-vs-" + x.Label().Replace(" ", "-", StringComparison.Ordinal).Replace("(flops)", "", StringComparison.OrdinalIgnoreCase).TrimEnd('-');
        var finite = Prepare(runs, x, directory, name);
        var plot = new Plot();
        var series = new List<PlotSeries>();
        var palette = new ScottPlot.Palettes.Category10();
        var groups = finite.GroupBy(r => r.Value(groupBy)).OrderBy(g => g.Key).ToList();
        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i].OrderBy(r => r.Value(x)).ToList();
            var label = $"{groupBy.Symbol()} = {ScalingFormat.Count(groups[i].Key)}";
            var line = plot.Add.Scatter(LogOf(group, r => r.Value(x)), group.Select(r => r.Loss).ToArray());
            line.LegendText = label;
            line.Color = palette.GetColor(i);
            line.LineWidth = 2;
            line.MarkerSize = 7;
            series.Add(new PlotSeries(label, group.Count, "runs"));
        }
        title ??= $"Loss vs {x.Label()} by {groupBy.Label()}";
        const string yLabel = "held-out InfoNCE loss";
        SetLogAxes(plot, finite.Select(r => Math.Log10(r.Value(x))), finite.Select(r => r.Loss).ToList(), logY: false);
        return Save(plot, directory, name, title, x.Label() + " (log scale)", yLabel, series);
    }

    private static List<ScalingRun> Prepare(IEnumerable<ScalingRun> runs, ScalingVariable x, string directory, string name)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var finite = runs.Where(r => double.IsFinite(r.Loss)).ToList();
        if (finite.Count == 0)
        {
            throw new ArgumentException("There is no run with a finite loss to plot.", nameof(runs));
        }
        foreach (var run in finite)
        {
            if (!(run.Value(x) > 0) || !(run.Loss > 0))
            {
                throw new ArgumentException($"Run '{run.Name}' has {x.Label()} {run.Value(x)} and loss {run.Loss}; both must be positive on a log axis.", nameof(runs));
            }
        }
        return finite;
    }

    private static PlotSeries? AddFit(Plot plot, PowerLawFit? fit, double min, double max, string symbol)
    {
        if (fit is null)
        {
            return null;
        }
        var (lo, hi) = (Math.Log10(min), Math.Log10(max));
        var xs = Enumerable.Range(0, FitPoints).Select(i => lo + (hi - lo) * i / (FitPoints - 1)).ToArray();
        var ys = xs.Select(v => Math.Log10(fit.Predict(Math.Pow(10, v)))).ToArray();
        var line = plot.Add.ScatterLine(xs, ys);
        var ci = CultureInfo.InvariantCulture;
        var label = fit.Saturating
            ? string.Format(ci, "fit: L = {0:0.###} + ({1}/{2})^-{3:0.###}", fit.LInfinity, symbol, ScalingFormat.Scientific(fit.X0), fit.Alpha)
            : string.Format(ci, "fit: L = ({0}/{1})^-{2:0.###}", symbol, ScalingFormat.Scientific(fit.X0), fit.Alpha);
        line.LegendText = label;
        line.Color = Colors.Black;
        line.LineWidth = 2;
        line.LinePattern = LinePattern.Dashed;
        return new PlotSeries(label, FitPoints, "fit");
    }

    private static double[] LogOf(IEnumerable<ScalingRun> runs, Func<ScalingRun, double> value) =>
        runs.Select(r => Math.Log10(value(r))).ToArray();

    private static void SetLogAxes(Plot plot, IEnumerable<double> xLogs, IReadOnlyCollection<double> ys, bool logY)
    {
        var (xMin, xMax) = Padded(xLogs.ToList(), 0.05, minimumSpan: 0.2);
        plot.Axes.Bottom.TickGenerator = LogTicks.Build(xMin, xMax);
        var (yMin, yMax) = Padded(ys, 0.08, minimumSpan: logY ? 0.02 : 0.05 * Math.Max(ys.Max(), 1e-9));
        if (logY)
        {
            plot.Axes.Left.TickGenerator = LogTicks.Build(yMin, yMax);
        }
        // Limits are set explicitly because the manual ticks were built for exactly this range.
        plot.Axes.SetLimits(xMin, xMax, yMin, yMax);
    }

    private static (double Min, double Max) Padded(IReadOnlyCollection<double> values, double fraction, double minimumSpan)
    {
        var (min, max) = (values.Min(), values.Max());
        var span = Math.Max(max - min, minimumSpan);
        var centre = (min + max) / 2;
        return (centre - span * (0.5 + fraction), centre + span * (0.5 + fraction));
    }

    private static PlotDescription Save(Plot plot, string directory, string name, string title, string xLabel, string yLabel, List<PlotSeries> series)
    {
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        plot.ShowLegend(Alignment.UpperRight);
        plot.Grid.MinorLineWidth = 1;
        plot.Grid.MinorLineColor = Colors.Black.WithAlpha(0.05);
        Directory.CreateDirectory(directory);
        var png = Path.Combine(directory, name + ".png");
        var svg = Path.Combine(directory, name + ".svg");
        plot.SavePng(png, Width, Height);
        plot.SaveSvg(svg, Width, Height);
        return new PlotDescription(name, title, xLabel, yLabel, png, svg, series);
    }
}
