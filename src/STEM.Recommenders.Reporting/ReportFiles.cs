namespace STEM.Recommenders.Reporting;

/// <summary>What <see cref="ReportWriter"/> wrote.</summary>
/// <param name="HtmlPath">report.html.</param>
/// <param name="Charts">The pictures and their PNG and SVG files.</param>
public sealed record ReportFiles(string HtmlPath, IReadOnlyList<RenderedChart> Charts)
{
    /// <summary>Every file written: each picture's PNG and SVG, then report.html.</summary>
    public IReadOnlyList<string> Paths => [.. Charts.SelectMany(c => new[] { c.PngPath, c.SvgPath }), HtmlPath];
}
