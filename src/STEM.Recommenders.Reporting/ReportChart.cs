namespace STEM.Recommenders.Reporting;

/// <summary>
/// A picture described by its data: what <see cref="ChartRenderer"/> draws, and what tests check
/// (the series and their values, not the pixels).
/// </summary>
/// <param name="Name">The base file name without extension, e.g. <c>validation-auc</c>; also the image's alt text.</param>
/// <param name="Title">The title drawn above the plot.</param>
/// <param name="XLabel">The x-axis label.</param>
/// <param name="YLabel">The y-axis label.</param>
/// <param name="Kind">How it is drawn.</param>
/// <param name="Series">The series, in legend order (empty for a heatmap).</param>
/// <param name="Categories">For bars, the label of each category (x = 0, 1, ...); otherwise <see langword="null"/>.</param>
/// <param name="Heatmap">For a heatmap, its cells; otherwise <see langword="null"/>.</param>
/// <param name="Caption">One sentence under the picture in report.html saying how to read it.</param>
public sealed record ReportChart(
    string Name,
    string Title,
    string XLabel,
    string YLabel,
    ChartKind Kind,
    IReadOnlyList<ChartSeries> Series,
    IReadOnlyList<string>? Categories = null,
    HeatmapCells? Heatmap = null,
    string Caption = "");
