using System.Globalization;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Views by service (CLUE's setting): view A holds the events whose <see cref="Column"/> value is
/// one of <see cref="FirstViewValues"/>, view B all others (a missing value included).
/// </summary>
public sealed record ServiceViews : ViewStrategy
{
    /// <summary>The column naming the service (app surface). Default "tab" (KuaiRand).</summary>
    public string Column { get; init; } = "tab";

    /// <summary>Values of <see cref="Column"/> that put an event in view A. Default ["1"] (KuaiRand's main feed).</summary>
    public IReadOnlyList<string> FirstViewValues { get; init; } = ["1"];

    /// <inheritdoc />
    internal override string? ColumnName => Column;

    /// <inheritdoc />
    public override void Validate()
    {
        Require(!string.IsNullOrEmpty(Column), nameof(Column), "must not be empty");
        Require(FirstViewValues is { Count: > 0 }, nameof(FirstViewValues), "must list at least one value");
    }

    /// <inheritdoc />
    internal override Func<int, ulong, bool> Bind(DataTable table)
    {
        var column = table.Column(Column);
        var first = new HashSet<string>(FirstViewValues, StringComparer.Ordinal);
        return (row, _) => column[row] is { } value && first.Contains(value);
    }

    /// <inheritdoc />
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"ServiceViews {{ Column = {Column}, FirstViewValues = [{string.Join(", ", FirstViewValues)}] }}");
}
