namespace STEM.Recommenders.Training.Weighting;

/// <summary>A factory over a delegate; it validates by creating a weighting and disposing it.</summary>
internal class DelegateLossWeightingFactory(string name, string description, Func<WeightingConfig, ILossWeighting> create) : ILossWeightingFactory
{
    public string Name { get; } = name.Trim();

    public string Description { get; } = description;

    public virtual void Validate(WeightingConfig config, IReadOnlyList<string>? taskNames) => Create(config).Dispose();

    public ILossWeighting Create(WeightingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return create(config);
    }
}
