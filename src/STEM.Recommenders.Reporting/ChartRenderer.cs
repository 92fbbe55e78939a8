using System.Globalization;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace STEM.Recommenders.Reporting;

/// <summary>Draws a <see cref="ReportChart"/> with ScottPlot 5 and writes it as PNG and SVG.</summary>
public static class ChartRenderer
{
    /// <summary>Picture width in pixels.</summary>
    public const int Width = 960;

    /// <summary>Picture height in pixels.</summary>
    public const int Height = 560;

    /// <summary>Writes <c>{chart.Name}.png</c> and <c>{chart.Name}.svg</c> into <paramref name="directory"/> (created when missing).</summary>
    public static RenderedChart Save(ReportChart chart, string directory)
    {
        ArgumentNullException.ThrowIfNull(chart);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var plot = Build(chart);
        Directory.CreateDirectory(directory);
        var png = Path.Combine(directory, chart.Name + ".png");
        var svg = Path.Combine(directory, chart.Name + ".svg");
        plot.SavePng(png, Width, Height);
        plot.SaveSvg(svg, Width, Height);
        return new RenderedChart(chart, png, svg);
    }

    private static Plot Build(ReportChart chart)
    {
        var plot = new Plot();
        switch (chart.Kind)
        {
            case ChartKind.Lines:
                DrawLines(plot, chart);
                break;
            case ChartKind.Bars:
                DrawBars(plot, chart);
                break;
            case ChartKind.Heatmap:
                DrawHeatmap(plot, chart);
                break;
            case ChartKind.Reliability:
                DrawReliability(plot, chart);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(chart), chart.Kind, "Unknown chart kind.");
        }

        if (chart.Kind != ChartKind.Heatmap)
        {
            // ScottPlot's default packs a label every 0.005 of AUC onto a 560-pixel axis; about six read better.
            var limits = plot.Axes.GetLimits();
            plot.Axes.Left.TickGenerator = ReadableTicks(limits.Bottom, limits.Top);
            if (chart.Kind == ChartKind.Reliability)
            {
                plot.Axes.Bottom.TickGenerator = ReadableTicks(limits.Left, limits.Right);
            }
        }

        plot.Title(chart.Title);
        plot.XLabel(chart.XLabel);
        plot.YLabel(chart.YLabel);
        if (chart.Kind != ChartKind.Heatmap && chart.Series.Count > 0)
        {
            // Outside the data area, so that the legend never covers a curve or a bar.
            plot.ShowLegend(Edge.Right);
        }

        return plot;
    }

    /// <summary>Where a cell's value lies between the heatmap's <see cref="HeatmapCells.Low"/> and <see cref="HeatmapCells.High"/>, in [0, 1].</summary>
    private static double Shade(double value, HeatmapCells cells) =>
        cells.High > cells.Low ? Math.Clamp((value - cells.Low) / (cells.High - cells.Low), 0, 1) : 0.5;

    private static NumericManual ReadableTicks(double min, double max)
    {
        var ticks = new NumericManual();
        if (!(max > min))
        {
            return ticks;
        }

        var raw = (max - min) / 6;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var fraction = raw / magnitude;
        var step = (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * magnitude;
        var decimals = Math.Max(0, (int)-Math.Floor(Math.Log10(step) + 1e-9));
        for (var k = Math.Ceiling(min / step); k * step <= max + (step * 1e-9); k++)
        {
            var value = Math.Round(k * step, decimals + 2);
            ticks.AddMajor(value, value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
            if ((k + 0.5) * step <= max)
            {
                ticks.AddMinor((k + 0.5) * step);
            }
        }

        return ticks;
    }

    private static Color ColourOf(int index) => index < 0 ? Colors.Black : new ScottPlot.Palettes.Category10().GetColor(index);

    private static void DrawLines(Plot plot, ReportChart chart)
    {
        foreach (var series in chart.Series)
        {
            var line = plot.Add.Scatter(series.X.ToArray(), series.Y.ToArray());
            line.LegendText = series.Name;
            line.Color = ColourOf(series.Colour);
            line.LineWidth = series.Secondary ? 1.5f : 2;
            line.MarkerSize = 7;
            if (series.Secondary)
            {
                line.LineColor = ColourOf(series.Colour).WithAlpha(0.55);
                line.MarkerShape = MarkerShape.OpenCircle;
            }
        }

        // Fixed now, so that the ticks are built for the range the curves are drawn in.
        plot.Axes.AutoScale();
        var xs = chart.Series.SelectMany(s => s.X).ToArray();
        if (xs.Length > 0 && xs.All(x => x == Math.Floor(x)) && xs.Max() - xs.Min() <= 30)
        {
            // Epochs are whole numbers: ticks at 1, 2, 3 rather than 1.5, 2.5.
            var ticks = Enumerable.Range((int)xs.Min(), (int)(xs.Max() - xs.Min()) + 1).Select(v => (double)v).ToArray();
            plot.Axes.Bottom.SetTicks(ticks, ticks.Select(v => v.ToString(CultureInfo.InvariantCulture)).ToArray());
            plot.Axes.SetLimitsX(xs.Min() - 0.3, xs.Max() + 0.3);
        }
    }

    private static void DrawBars(Plot plot, ReportChart chart)
    {
        var categories = chart.Categories ?? [];
        const double groupWidth = 0.8;
        var width = groupWidth / Math.Max(1, chart.Series.Count);
        for (var i = 0; i < chart.Series.Count; i++)
        {
            var series = chart.Series[i];
            var colour = ColourOf(series.Colour);
            var bars = series.X.Select((x, j) => new Bar
            {
                Position = x - (groupWidth / 2) + (width * (i + 0.5)),
                Value = series.Y[j],
                Error = series.Errors?[j] ?? 0,
                FillColor = colour,
                Size = width * 0.9,
            }).ToList();
            var plottable = plot.Add.Bars(bars);
            plottable.LegendText = series.Name;
        }

        // "is_click-dominant (2,033 rows)" and its neighbours overlap on one line: the count goes below.
        var labels = categories.Select(c => c.Replace(" (", "\n(", StringComparison.Ordinal)).ToArray();
        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, categories.Count).Select(v => (double)v).ToArray(), labels);
        plot.Axes.Bottom.MajorTickStyle.Length = 0;
        plot.Axes.Bottom.TickLabelStyle.FontSize = 14;
        plot.Grid.XAxisStyle.IsVisible = false;
        var lows = chart.Series.SelectMany(s => s.Y.Select((y, j) => y - (s.Errors?[j] ?? 0))).ToArray();
        var highs = chart.Series.SelectMany(s => s.Y.Select((y, j) => y + (s.Errors?[j] ?? 0))).ToArray();
        plot.Axes.SetLimitsX(-0.5, Math.Max(1, categories.Count) - 0.5);
        if (lows.Length > 0)
        {
            // The differences between models are a few thousandths of AUC: bars from 0 would hide them.
            var (low, high) = (lows.Min(), highs.Max());
            var pad = Math.Max(0.01, 0.15 * (high - low));
            plot.Axes.SetLimitsY(Math.Max(0, low - pad), Math.Min(1.0 + pad, high + pad));
        }
    }

    private static void DrawHeatmap(Plot plot, ReportChart chart)
    {
        var cells = chart.Heatmap ?? throw new ArgumentException($"The heatmap '{chart.Name}' has no cells.", nameof(chart));
        var (rows, columns) = (cells.Rows.Count, cells.Columns.Count);
        var values = new double[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                values[r, c] = cells.Values[r][c];
            }
        }

        // Drawn as rectangles rather than ScottPlot's Heatmap: they stay vector shapes in the SVG, and
        // each cell's place is explicit (centre on whole coordinates, the first row on top).
        var colours = new ScottPlot.Colormaps.Viridis();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var y = rows - 1 - r;
                var cell = plot.Add.Rectangle(c - 0.5, c + 0.5, y - 0.5, y + 0.5);
                cell.FillColor = double.IsNaN(values[r, c]) ? Colors.LightGray : colours.GetColor(Shade(values[r, c], cells));
                cell.LineColor = Colors.White;
                cell.LineWidth = 2;
            }
        }

        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                var missing = double.IsNaN(values[r, c]);
                var label = plot.Add.Text(missing ? "–" : values[r, c].ToString("0.000", CultureInfo.InvariantCulture), c, rows - 1 - r);
                label.LabelFontSize = 16;
                label.LabelAlignment = Alignment.MiddleCenter;
                // Viridis is dark at 0 and light at 1.
                label.LabelFontColor = missing || Shade(values[r, c], cells) > 0.6 ? Colors.Black : Colors.White;
            }
        }

        plot.Axes.Bottom.SetTicks(Enumerable.Range(0, columns).Select(v => (double)v).ToArray(), cells.Columns.ToArray());
        plot.Axes.Left.SetTicks(Enumerable.Range(0, rows).Select(v => (double)(rows - 1 - v)).ToArray(), cells.Rows.ToArray());
        plot.Axes.SetLimits(-0.5, columns - 0.5, -0.5, rows - 0.5);
        plot.Grid.IsVisible = false;
    }

    private static void DrawReliability(Plot plot, ReportChart chart)
    {
        foreach (var series in chart.Series)
        {
            var line = plot.Add.Scatter(series.X.ToArray(), series.Y.ToArray());
            line.LegendText = series.Name;
            line.Color = ColourOf(series.Colour);
            if (series.Secondary)
            {
                line.Color = Colors.Gray;
                line.LineWidth = 1;
                line.MarkerSize = 0;
            }
            else
            {
                line.LineWidth = 1.5f;
                line.MarkerSize = 8;
            }
        }

        var top = chart.Series.SelectMany(s => s.X.Concat(s.Y)).DefaultIfEmpty(1).Max();
        plot.Axes.SetLimits(0, top, 0, top);
    }
}
