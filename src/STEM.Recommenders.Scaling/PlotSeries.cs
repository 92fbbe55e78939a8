namespace STEM.Recommenders.Scaling;

/// <summary>One series drawn on a plot.</summary>
/// <param name="Name">The legend text.</param>
/// <param name="PointCount">Points in the series (for a fitted curve, the points it was drawn through).</param>
/// <param name="Kind">What it is: <c>runs</c>, <c>frontier</c> or <c>fit</c>.</param>
public sealed record PlotSeries(string Name, int PointCount, string Kind);
