namespace STEM.Recommenders.Scaling;

/// <summary>What a <see cref="ScalingPlots"/> method drew and where it wrote it.</summary>
/// <param name="Name">The base file name without extension, e.g. <c>loss-vs-compute</c>; also the image's alt text in reports.</param>
/// <param name="Title">The plot title.</param>
/// <param name="XLabel">The x-axis label.</param>
/// <param name="YLabel">The y-axis label.</param>
/// <param name="PngPath">The PNG file written.</param>
/// <param name="SvgPath">The SVG file written.</param>
/// <param name="Series">The series drawn, in legend order.</param>
public sealed record PlotDescription(string Name, string Title, string XLabel, string YLabel, string PngPath, string SvgPath, IReadOnlyList<PlotSeries> Series);
