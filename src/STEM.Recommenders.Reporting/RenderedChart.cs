namespace STEM.Recommenders.Reporting;

/// <summary>A chart and the files it was written to.</summary>
/// <param name="Chart">What was drawn.</param>
/// <param name="PngPath">The PNG file.</param>
/// <param name="SvgPath">The SVG file.</param>
public sealed record RenderedChart(ReportChart Chart, string PngPath, string SvgPath);
