namespace STEM.Recommenders.Reporting;

/// <summary>The cells of a heatmap: <c>Values[row][column]</c>, top row first.</summary>
/// <param name="Rows">Row labels, top to bottom.</param>
/// <param name="Columns">Column labels, left to right.</param>
/// <param name="Values">One list per row, one value per column; NaN for a cell without a value (drawn grey, labelled "–").</param>
/// <param name="Low">The value drawn darkest; 0 by default (gate mass is a share).</param>
/// <param name="High">The value drawn lightest; 1 by default. A tuning grid spans a few thousandths of AUC, so it passes its own range.</param>
public sealed record HeatmapCells(IReadOnlyList<string> Rows, IReadOnlyList<string> Columns, IReadOnlyList<IReadOnlyList<double>> Values, double Low = 0, double High = 1);
