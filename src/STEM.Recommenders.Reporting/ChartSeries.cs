namespace STEM.Recommenders.Reporting;

/// <summary>One series of a <see cref="ReportChart"/>: the points drawn, in order.</summary>
/// <param name="Name">The legend text.</param>
/// <param name="X">x of each point (for bars, the category index).</param>
/// <param name="Y">y of each point.</param>
/// <param name="Errors">± error of each point (bars: the standard deviation over seeds), or <see langword="null"/> for none.</param>
/// <param name="Counts">Rows behind each point (reliability bins), or <see langword="null"/>.</param>
/// <param name="Colour">Index into the palette; series that belong together (a task's training and validation loss) share it.</param>
/// <param name="Secondary">
/// Whether the series is drawn as the lighter partner of another (validation curves: open markers, a
/// paler line) or as a reference (the diagonal: a thin grey line). Not dashed: ScottPlot's SVG
/// export cannot draw dashes and complains on standard error for each dashed line.
/// </param>
public sealed record ChartSeries(
    string Name,
    IReadOnlyList<double> X,
    IReadOnlyList<double> Y,
    IReadOnlyList<double>? Errors = null,
    IReadOnlyList<long>? Counts = null,
    int Colour = 0,
    bool Secondary = false);
