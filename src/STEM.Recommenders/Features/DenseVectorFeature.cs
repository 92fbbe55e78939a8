using System.Text.Json.Serialization;

namespace STEM.Recommenders.Features;

/// <summary>
/// A dense vector joined by key, for example a pretrained CLUE user representation: one numeric
/// column per component (the side table is joined onto the rows first, so a user without a
/// vector has empty components). The field's vector is <c>W·v + m·e_missing</c> — a learned linear
/// projection of the (standardised) vector to the embedding width plus a learned "missing" row
/// that is used when the row has no vector (then v = 0). It is encoded as D + 1 weighted slots over
/// D + 1 embedding rows, so every model reads it through its embedding bank without knowing it is
/// there, and the row-sparse optimizer and artifacts treat it like any other field.
/// </summary>
/// <remarks>
/// <see cref="FeatureSpec.TaskSpecific"/> defaults to <see langword="false"/> here: the vector
/// enters STEM models on the shared path only (one projection, seen by every view), which is how a
/// general-purpose representation is meant to be used. Set it to <see langword="true"/> to give
/// every task its own projection. <see cref="FeatureSpec.Column"/> is not used; name the
/// component columns in <see cref="Columns"/>.
/// </remarks>
public sealed record DenseVectorFeature : FeatureSpec
{
    /// <summary>The largest supported vector width (a bound checked before anything is allocated).</summary>
    public const int MaxDimension = 4096;

    /// <summary>Creates the declaration; the vector is shared-only unless <see cref="FeatureSpec.TaskSpecific"/> is set.</summary>
    public DenseVectorFeature()
    {
        TaskSpecific = false;
    }

    /// <summary>The component columns, in order (for example clue_0 … clue_63).</summary>
    public required IReadOnlyList<string> Columns { get; init; }

    /// <summary>Standardise every component with its training mean and standard deviation. Default true.</summary>
    public bool Standardize { get; init; } = true;

    /// <summary>The vector width D.</summary>
    [JsonIgnore]
    public int Dimension => Columns.Count;

    /// <inheritdoc />
    [JsonIgnore]
    public override IReadOnlyList<string> SourceColumns => Columns;

    /// <summary>Checks the component columns.</summary>
    /// <exception cref="ArgumentException">No column, too many, an empty or a repeated name.</exception>
    internal void ValidateColumns()
    {
        if (Columns is not { Count: > 0 })
        {
            throw new ArgumentException($"Feature '{Name}': Columns must name at least one component column.");
        }

        if (Columns.Count > MaxDimension)
        {
            throw new ArgumentException($"Feature '{Name}': {Columns.Count} component columns exceed the limit of {MaxDimension}.");
        }

        if (Columns.Any(string.IsNullOrWhiteSpace) || Columns.Distinct(StringComparer.Ordinal).Count() != Columns.Count)
        {
            throw new ArgumentException($"Feature '{Name}': Columns must be distinct, non-empty names.");
        }
    }
}
