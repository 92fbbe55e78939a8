using System.Text;

namespace STEM.Recommenders.Reporting;

/// <summary>
/// One self-contained HTML page: the Markdown report's tables and every picture, embedded as a
/// base64 PNG (no external file, stylesheet or script), so that it can be mailed or attached as one file.
/// </summary>
public static class ReportHtml
{
    // Inline SVG would be sharper, but ScottPlot's SVGs reuse element ids (clip paths), which clash
    // when several sit in one page; embedded PNGs do not interact. The SVG files are written beside it.
    private const string Style = """
        body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #222; max-width: 1000px; margin: 2em auto; padding: 0 1em; line-height: 1.45; }
        h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; } h3 { margin-top: 1.6em; }
        table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
        th, td { border: 1px solid #d4d4d4; padding: 0.3em 0.65em; }
        th { background: #f4f4f4; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
        figure { margin: 1.5em 0; } figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
        figcaption { color: #555; font-size: 0.9em; margin-top: 0.3em; }
        nav a { margin-right: 1em; }
        """;

    /// <summary>Builds the page.</summary>
    /// <param name="title">The page title and heading.</param>
    /// <param name="markdown">The Markdown report whose tables are shown (as <see cref="STEM.Recommenders.Evaluation.Reports.ComparisonReport.ToMarkdown"/> writes it).</param>
    /// <param name="charts">The pictures, in the order shown; each PNG file is read and embedded.</param>
    public static string Build(string title, string markdown, IReadOnlyList<RenderedChart> charts)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(charts);
        var html = new StringBuilder();
        html.AppendLine("<!DOCTYPE html>").AppendLine("<html lang=\"en\">").AppendLine("<head>").AppendLine("<meta charset=\"utf-8\">");
        html.Append("<title>").Append(MarkdownHtml.Escape(title)).AppendLine("</title>");
        html.Append("<style>").Append(Style).AppendLine("</style>").AppendLine("</head>").AppendLine("<body>");
        html.Append("<h1>").Append(MarkdownHtml.Escape(title)).AppendLine("</h1>");
        html.AppendLine("<nav><a href=\"#tables\">Tables</a><a href=\"#pictures\">Pictures</a></nav>");
        html.AppendLine("<h2 id=\"tables\">Tables</h2>");
        html.Append(MarkdownHtml.Convert(markdown));
        html.AppendLine("<h2 id=\"pictures\">Pictures</h2>");
        foreach (var rendered in charts)
        {
            var chart = rendered.Chart;
            var png = Convert.ToBase64String(File.ReadAllBytes(rendered.PngPath));
            html.Append("<figure id=\"").Append(MarkdownHtml.Escape(chart.Name)).AppendLine("\">");
            html.Append("<img alt=\"").Append(MarkdownHtml.Escape(chart.Name)).Append("\" title=\"").Append(MarkdownHtml.Escape(chart.Title))
                .Append("\" width=\"").Append(ChartRenderer.Width).Append("\" height=\"").Append(ChartRenderer.Height)
                .Append("\" src=\"data:image/png;base64,").Append(png).AppendLine("\">");
            html.Append("<figcaption><strong>").Append(MarkdownHtml.Escape(chart.Title)).Append(".</strong> ").Append(MarkdownHtml.Escape(chart.Caption))
                .Append(" (<code>").Append(MarkdownHtml.Escape(Path.GetFileName(rendered.SvgPath))).AppendLine("</code>)</figcaption>");
            html.AppendLine("</figure>");
        }

        html.AppendLine("</body>").AppendLine("</html>");
        return html.ToString();
    }
}
