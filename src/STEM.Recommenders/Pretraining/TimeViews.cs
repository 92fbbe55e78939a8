using System.Globalization;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Views by period: view A holds the events whose <see cref="Column"/> value (a number) is below
/// <see cref="SplitValue"/>, view B those at or above it (for example before and from 2022-04-28).
/// </summary>
public sealed record TimeViews : ViewStrategy
{
    /// <summary>The numeric column compared with <see cref="SplitValue"/>. Default "date" (KuaiRand's yyyymmdd).</summary>
    public string Column { get; init; } = "date";

    /// <summary>The first value of view B. Default 20220428.</summary>
    public double SplitValue { get; init; } = 20220428;

    /// <inheritdoc />
    internal override string? ColumnName => Column;

    /// <inheritdoc />
    public override void Validate()
    {
        Require(!string.IsNullOrEmpty(Column), nameof(Column), "must not be empty");
        Require(double.IsFinite(SplitValue), nameof(SplitValue), "must be a finite number");
    }

    /// <inheritdoc />
    internal override Func<int, ulong, bool> Bind(DataTable table)
    {
        var column = table.Column(Column);

        // Parsed once up front so that a bad value fails before any work, with its file and line.
        var firstView = new bool[table.RowCount];
        for (var row = 0; row < firstView.Length; row++)
        {
            var text = column[row];
            if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                throw new DataFormatException(column.LocationOf(row), text is null ? "missing value for the time views" : $"'{text}' is not a number (TimeViews compares it with {SplitValue.ToString(CultureInfo.InvariantCulture)})");
            }

            firstView[row] = value < SplitValue;
        }

        return (row, _) => firstView[row];
    }
}
