using System.Text.Json.Serialization;

namespace STEM.Recommenders.Features;

/// <summary>
/// One input field of a <see cref="FeatureSchema"/>: where its raw value comes from and how it is
/// turned into embedding-table rows. Every field contributes one <c>d</c>-wide vector per view.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(CategoricalFeature), "categorical")]
[JsonDerivedType(typeof(NumericFeature), "numeric")]
[JsonDerivedType(typeof(MultiValueFeature), "multi_value")]
[JsonDerivedType(typeof(DenseVectorFeature), "dense_vector")]
public abstract record FeatureSpec
{
    /// <summary>The field's name (unique in a schema).</summary>
    public required string Name { get; init; }

    /// <summary>The source column; defaults to <see cref="Name"/>.</summary>
    public string? Column { get; init; }

    /// <summary>
    /// Whether STEM-style models give this field task-specific embeddings in addition to the
    /// shared one. The STEM paper asks which fields benefit; the default (true for all) is what the
    /// authors' code does. Models without task-specific embeddings ignore it.
    /// </summary>
    public bool TaskSpecific { get; init; } = true;

    /// <summary>The column the raw value is read from.</summary>
    [JsonIgnore]
    public string SourceColumn => Column ?? Name;

    /// <summary>Every column the field reads (one for most fields; a dense vector reads one per component).</summary>
    [JsonIgnore]
    public virtual IReadOnlyList<string> SourceColumns => [SourceColumn];
}

/// <summary>A categorical field: each distinct value (or hash bucket) gets an embedding row.</summary>
public sealed record CategoricalFeature : FeatureSpec
{
    /// <summary>Values seen fewer times than this in the training split map to the OOV row. Default 1.</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>When set, values are hashed into this many buckets instead of a fitted vocabulary.</summary>
    public int? HashBuckets { get; init; }

    /// <summary>An optional numeric transform applied to the raw value first (e.g. hour = hourmin / 100).</summary>
    public ValueTransform? Transform { get; init; }
}

/// <summary>
/// A numeric field: either scaled and used as a weight on one learned embedding row (as FuxiCTR
/// does), or bucketised by training-split quantiles into a categorical field.
/// </summary>
public sealed record NumericFeature : FeatureSpec
{
    /// <summary>How the value is scaled before weighting its embedding row. Default standardisation.</summary>
    public NumericScaling Scaling { get; init; } = NumericScaling.Standardize;

    /// <summary>When set, the value is bucketised into this many quantile buckets and treated as categorical.</summary>
    public int? Buckets { get; init; }

    /// <summary>An optional transform applied to the raw value first.</summary>
    public ValueTransform? Transform { get; init; }
}

/// <summary>A multi-valued categorical field (tags, genres): values separated in one cell, pooled.</summary>
public sealed record MultiValueFeature : FeatureSpec
{
    /// <summary>Separator between values in a cell. Default ",".</summary>
    public string Separator { get; init; } = ",";

    /// <summary>At most this many values are kept per row (the first ones). Default 8.</summary>
    public int MaxLength { get; init; } = 8;

    /// <summary>How the values' embeddings are pooled. Default mean.</summary>
    public Pooling Pooling { get; init; } = Pooling.Mean;

    /// <summary>Values seen fewer times than this in the training split map to the OOV row. Default 1.</summary>
    public int MinCount { get; init; } = 1;
}

/// <summary>How a numeric value is scaled.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NumericScaling>))]
public enum NumericScaling
{
    /// <summary>Subtract the training mean, divide by the training standard deviation.</summary>
    Standardize,

    /// <summary>Map the training range to [0, 1].</summary>
    MinMax,

    /// <summary>Use the value as it is.</summary>
    None,
}

/// <summary>How the values of a multi-valued field are pooled into one vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Pooling>))]
public enum Pooling
{
    /// <summary>Average of the values' embeddings.</summary>
    Mean,

    /// <summary>Sum of the values' embeddings.</summary>
    Sum,
}
