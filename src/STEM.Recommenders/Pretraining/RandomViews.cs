using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Random views (a control without any service signal): each event goes to view A with
/// probability <see cref="FirstViewFraction"/>, decided by a seeded hash of the user key, the raw
/// time value and the event's tokens, so the assignment does not depend on the file's row order
/// (identical events of a user at the same time share a view).
/// </summary>
public sealed record RandomViews : ViewStrategy
{
    /// <summary>Seed of the assignment. Default 2023.</summary>
    public long Seed { get; init; } = 2023;

    /// <summary>Probability that an event is in view A, in (0, 1). Default 0.5.</summary>
    public double FirstViewFraction { get; init; } = 0.5;

    /// <inheritdoc />
    internal override string? ColumnName => null;

    /// <inheritdoc />
    public override void Validate() =>
        Require(FirstViewFraction is > 0 and < 1, nameof(FirstViewFraction), "must be in (0, 1)");

    /// <inheritdoc />
    internal override Func<int, ulong, bool> Bind(DataTable table)
    {
        var seed = StableHash.Mix(unchecked((ulong)Seed) ^ 0x9E3779B97F4A7C15UL);
        var fraction = FirstViewFraction;
        return (_, eventHash) => StableHash.ToUnit(StableHash.Mix(eventHash ^ seed)) < fraction;
    }
}
