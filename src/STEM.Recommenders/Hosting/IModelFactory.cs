using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;

namespace STEM.Recommenders.Hosting;

/// <summary>Creates models by name with the configured options (Stem:Models:NAME), or their defaults.</summary>
public interface IModelFactory
{
    /// <summary>Every model name the factory can create.</summary>
    IReadOnlyList<string> Names { get; }

    /// <summary>Creates a model for a feature layout and tasks.</summary>
    /// <exception cref="ArgumentException">Unknown model name.</exception>
    IMultiTaskModel Create(string name, FeatureLayout layout, IReadOnlyList<string> taskNames);
}

/// <summary>The default <see cref="IModelFactory"/>, over <see cref="ModelCatalog"/>.</summary>
internal sealed class ModelFactory(Microsoft.Extensions.Options.IOptions<StemOptions> options) : IModelFactory
{
    public IReadOnlyList<string> Names => ModelCatalog.Names;

    public IMultiTaskModel Create(string name, FeatureLayout layout, IReadOnlyList<string> taskNames)
    {
        var canonical = ModelCatalog.Resolve(name);
        return ModelCatalog.Create(canonical, layout, taskNames, options.Value.OptionsFor(canonical));
    }
}
