using System.Text.RegularExpressions;
using System.Xml.Linq;
using static STEM.Recommenders.Reporting.Tests.SampleReports;

namespace STEM.Recommenders.Reporting.Tests;

public sealed partial class ReportWriterTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "stem-report-pictures-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Every_picture_of_a_comparison_is_written_as_png_and_as_svg_holding_its_series_names()
    {
        var files = ReportWriter.Write(Comparison(), _directory);

        files.Charts.Select(c => c.Chart.Name).Should().Equal(ReportCharts.For(Comparison()).Select(c => c.Name));
        files.Charts.Should().HaveCount(10);
        foreach (var rendered in files.Charts)
        {
            rendered.PngPath.Should().Be(Path.Combine(_directory, rendered.Chart.Name + ".png"));
            var png = File.ReadAllBytes(rendered.PngPath);
            png.Take(8).Should().Equal(PngSignature);
            png.Length.Should().BeGreaterThan(10_000, $"{rendered.Chart.Name} is a drawn picture, not an empty canvas");
            var svg = XDocument.Load(rendered.SvgPath);
            svg.Root!.Name.LocalName.Should().Be("svg");
            var text = string.Concat(svg.Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
            text.Should().Contain(rendered.Chart.Title);
            foreach (var series in rendered.Chart.Series)
            {
                text.Should().Contain(series.Name, $"the legend of {rendered.Chart.Name} names every series");
            }

            foreach (var label in rendered.Chart.Heatmap?.Rows ?? [])
            {
                text.Should().Contain(label);
            }
        }
    }

    [Fact]
    public void The_heatmap_writes_each_cells_value_on_it()
    {
        var files = ReportWriter.Write(Comparison(), _directory);

        var heatmap = files.Charts.Single(c => c.Chart.Kind == ChartKind.Heatmap);
        var text = string.Concat(XDocument.Load(heatmap.SvgPath).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        text.Should().Contain("0.530").And.Contain("0.130").And.Contain("0.270");
    }

    [Fact]
    public void Report_html_shows_the_markdown_tables_and_embeds_every_picture_and_nothing_external()
    {
        var report = Comparison();

        var files = ReportWriter.Write(report, _directory);
        var html = File.ReadAllText(files.HtmlPath);

        files.HtmlPath.Should().Be(Path.Combine(_directory, "report.html"));
        html.Should().StartWith("<!DOCTYPE html>").And.Contain("<title>Comparison: stem-net, single-task × 2 seeds</title>");
        html.Should().Contain("<h3>Test AUC (mean ± std over 2 seeds)</h3>").And.Contain("<h3>Test expected calibration error (mean ± std over 2 seeds)</h3>");
        html.Should().Contain("<h3>Negative transfer: click vs like (τ = 2), test AUC per feedback group</h3>");
        // The table cells are the Markdown's, value for value.
        var row = report.Rows.Single(r => r.Model == "stem-net" && r.Task == "like");
        html.Should().Contain($"<tr><td>stem-net</td><td class=\"num\">{report.Rows.Single(r => r.Model == "stem-net" && r.Task == "click").Auc}</td><td class=\"num\">{row.Auc}</td></tr>");
        ImageTags().Count(html).Should().Be(files.Charts.Count);
        foreach (var rendered in files.Charts)
        {
            var png = Convert.ToBase64String(File.ReadAllBytes(rendered.PngPath));
            html.Should().Contain($"alt=\"{rendered.Chart.Name}\"").And.Contain($"src=\"data:image/png;base64,{png}\"");
        }

        html.Should().NotContain("<link").And.NotContain("<script").And.NotContain("src=\"http");
        files.Paths.Should().HaveCount((2 * files.Charts.Count) + 1).And.OnlyContain(p => File.Exists(p));
    }

    [Fact]
    public void A_training_runs_page_is_titled_after_the_run()
    {
        var files = ReportWriter.Write(Run("mmoe", 5, 0.01), _directory);

        File.ReadAllText(files.HtmlPath).Should().Contain("<h1>Training report: mmoe (seed 5)</h1>").And.Contain("<td>mmoe</td>");
        files.Charts.Select(c => c.Chart.Name).Should().Contain(["validation-auc", "loss", "calibration-like"]);
    }

    [Fact]
    public void Markdown_tables_become_html_tables_with_their_alignment_and_text_is_escaped()
    {
        var html = MarkdownHtml.Convert("### A <b>\n\n| name | value |\n| --- | ---: |\n| x&y | 1.5 |\n\nplain\n");

        html.Should().Be("<h3>A &lt;b&gt;</h3>\n<table>\n<thead><tr><th>name</th><th class=\"num\">value</th></tr></thead>\n<tbody>\n<tr><td>x&amp;y</td><td class=\"num\">1.5</td></tr>\n</tbody>\n</table>\n<p>plain</p>\n".ReplaceLineEndings());
    }

    [GeneratedRegex("<img ")]
    private static partial Regex ImageTags();
}
