using System.Text.Json.Serialization;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// How a user's events are divided into the two views whose representations are the positives
/// of contrastive pretraining (CLUE pairs the same user on different services). Serialised as
/// polymorphic JSON with a "type" discriminator: "service", "time" or "random".
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(ServiceViews), "service")]
[JsonDerivedType(typeof(TimeViews), "time")]
[JsonDerivedType(typeof(RandomViews), "random")]
public abstract record ViewStrategy
{
    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public abstract void Validate();

    /// <summary>The column the strategy reads, or <see langword="null"/> when it reads none.</summary>
    internal abstract string? ColumnName { get; }

    /// <summary>
    /// Binds the strategy to a table: the result says whether a row (with the hash of its user key,
    /// time and tokens) belongs to view A.
    /// </summary>
    /// <exception cref="DataFormatException">The column is missing or a value cannot be read.</exception>
    internal abstract Func<int, ulong, bool> Bind(DataTable table);

    /// <summary>Throws the strategy's <see cref="ArgumentException"/> when a condition fails.</summary>
    protected void Require(bool condition, string option, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{GetType().Name}.{option} {rule}.", option);
        }
    }
}
