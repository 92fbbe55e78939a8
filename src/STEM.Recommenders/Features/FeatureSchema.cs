namespace STEM.Recommenders.Features;

/// <summary>
/// What a model sees: its input fields, its binary tasks and an optional group key (the user id,
/// for gAUC). A schema is declarative and serialisable; <see cref="FeaturePipeline.Fit"/> fits it
/// on a training table.
/// </summary>
public sealed record FeatureSchema
{
    /// <summary>The input fields.</summary>
    public required IReadOnlyList<FeatureSpec> Features { get; init; }

    /// <summary>The tasks, in the order of the model's outputs.</summary>
    public required IReadOnlyList<TaskSpec> Tasks { get; init; }

    /// <summary>Column whose raw value groups rows for gAUC (e.g. "user_id"), or <see langword="null"/>.</summary>
    public string? GroupColumn { get; init; }

    /// <summary>Checks names, counts and parameters.</summary>
    /// <exception cref="ArgumentException">The schema is inconsistent; the message names the field or task.</exception>
    public void Validate()
    {
        if (Features is not { Count: > 0 })
        {
            throw new ArgumentException("A feature schema needs at least one feature.");
        }

        if (Tasks is not { Count: > 0 })
        {
            throw new ArgumentException("A feature schema needs at least one task.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var feature in Features)
        {
            if (string.IsNullOrWhiteSpace(feature.Name))
            {
                throw new ArgumentException("A feature has an empty name.");
            }

            if (!names.Add(feature.Name))
            {
                throw new ArgumentException($"Feature name '{feature.Name}' is used twice.");
            }

            switch (feature)
            {
                case CategoricalFeature c:
                    if (c.MinCount < 1)
                    {
                        throw new ArgumentException($"Feature '{c.Name}': MinCount must be at least 1.");
                    }

                    if (c.HashBuckets is < 1)
                    {
                        throw new ArgumentException($"Feature '{c.Name}': HashBuckets must be positive.");
                    }

                    c.Transform?.Validate(c.Name);
                    break;
                case NumericFeature n:
                    if (n.Buckets is < 2)
                    {
                        throw new ArgumentException($"Feature '{n.Name}': Buckets must be at least 2.");
                    }

                    n.Transform?.Validate(n.Name);
                    break;
                case MultiValueFeature m:
                    if (m.MaxLength < 1)
                    {
                        throw new ArgumentException($"Feature '{m.Name}': MaxLength must be at least 1.");
                    }

                    if (string.IsNullOrEmpty(m.Separator))
                    {
                        throw new ArgumentException($"Feature '{m.Name}': Separator must not be empty.");
                    }

                    if (m.MinCount < 1)
                    {
                        throw new ArgumentException($"Feature '{m.Name}': MinCount must be at least 1.");
                    }

                    break;
                case DenseVectorFeature v:
                    v.ValidateColumns();
                    break;
            }
        }

        var tasks = new HashSet<string>(StringComparer.Ordinal);
        foreach (var task in Tasks)
        {
            if (string.IsNullOrWhiteSpace(task.Name) || !tasks.Add(task.Name))
            {
                throw new ArgumentException($"Task name '{task.Name}' is empty or used twice.");
            }

            if (task.PositiveValues is not { Count: > 0 })
            {
                throw new ArgumentException($"Task '{task.Name}': PositiveValues must not be empty.");
            }

            if (task.NegativeValues is { } negatives && negatives.Intersect(task.PositiveValues, StringComparer.Ordinal).Any())
            {
                throw new ArgumentException($"Task '{task.Name}': a value is both positive and negative.");
            }
        }
    }

    /// <summary>Every column the schema reads (features, labels, group key), without duplicates.</summary>
    public IReadOnlyList<string> RequiredColumns() =>
        Features.SelectMany(f => f.SourceColumns)
            .Concat(Tasks.Select(t => t.SourceColumn))
            .Concat(GroupColumn is null ? [] : [GroupColumn])
            .Distinct(StringComparer.Ordinal)
            .ToArray();
}
