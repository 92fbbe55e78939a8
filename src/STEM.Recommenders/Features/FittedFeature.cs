namespace STEM.Recommenders.Features;

/// <summary>
/// A feature's declaration together with what was learnt from the training split: its vocabulary,
/// scaling statistics or bucket boundaries. This is what is saved to JSON and reloaded to encode
/// new rows exactly as the training rows were encoded.
/// </summary>
public sealed record FittedFeature
{
    /// <summary>The declaration.</summary>
    public required FeatureSpec Spec { get; init; }

    /// <summary>Kept values in index order (categorical and multi-valued fields with a vocabulary).</summary>
    public IReadOnlyList<string>? Vocabulary { get; init; }

    /// <summary>Training mean (standardised numeric fields).</summary>
    public double? Mean { get; init; }

    /// <summary>Training standard deviation (standardised numeric fields); 1 when the values are constant.</summary>
    public double? StandardDeviation { get; init; }

    /// <summary>Training minimum (min-max scaled numeric fields).</summary>
    public double? Minimum { get; init; }

    /// <summary>Training maximum (min-max scaled numeric fields).</summary>
    public double? Maximum { get; init; }

    /// <summary>Quantile boundaries (bucketised numeric fields), ascending.</summary>
    public IReadOnlyList<double>? Boundaries { get; init; }

    /// <summary>Training mean of every component (standardised dense vectors).</summary>
    public IReadOnlyList<double>? ComponentMeans { get; init; }

    /// <summary>Training standard deviation of every component (standardised dense vectors); 1 for a constant component.</summary>
    public IReadOnlyList<double>? ComponentStandardDeviations { get; init; }

    /// <summary>How many embedding rows the field needs.</summary>
    public long Rows => Spec switch
    {
        CategoricalFeature { HashBuckets: { } buckets } => buckets + 1L,
        CategoricalFeature => 1L + (Vocabulary?.Count ?? 0),
        NumericFeature { Buckets: not null } => (Boundaries?.Count ?? 0) + 2L,
        NumericFeature => 1L,
        MultiValueFeature => 2L + (Vocabulary?.Count ?? 0),
        DenseVectorFeature v => v.Dimension + 1L,
        _ => throw new InvalidOperationException($"Unknown feature type {Spec.GetType().Name}."),
    };

    /// <summary>How many id slots a row of this field takes (the maximum length of a multi-valued field, else 1).</summary>
    public int Slots => Spec switch
    {
        MultiValueFeature m => m.MaxLength,
        DenseVectorFeature v => v.Dimension + 1,
        _ => 1,
    };
}
