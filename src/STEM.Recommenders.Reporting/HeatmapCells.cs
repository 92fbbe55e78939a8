namespace STEM.Recommenders.Reporting;

/// <summary>The cells of a heatmap: <c>Values[row][column]</c>, top row first.</summary>
/// <param name="Rows">Row labels, top to bottom.</param>
/// <param name="Columns">Column labels, left to right.</param>
/// <param name="Values">One list per row, one value per column.</param>
public sealed record HeatmapCells(IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<double>> Values);
