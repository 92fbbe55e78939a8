using STEM.Recommenders.Features;

namespace STEM.Recommenders.Models;

/// <summary>Creates the built-in models by name ("stem-net", "mmoe", …) or from their options.</summary>
public static class ModelCatalog
{
    private static readonly Dictionary<string, (Type Options, Func<FeatureLayout, IReadOnlyList<string>, ModelOptions, IMultiTaskModel> Create)> Models =
        new(StringComparer.OrdinalIgnoreCase)
        {
            [StemNet.Name] = (typeof(StemNetOptions), (l, t, o) => new StemNet(l, t, (StemNetOptions)o)),
            [Mmoe.Name] = (typeof(MmoeOptions), (l, t, o) => new Mmoe(l, t, (MmoeOptions)o)),
            [Omoe.Name] = (typeof(OmoeOptions), (l, t, o) => new Omoe(l, t, (OmoeOptions)o)),
            [Ple.Name] = (typeof(PleOptions), (l, t, o) => new Ple(l, t, (PleOptions)o)),
            [SharedBottom.Name] = (typeof(SharedBottomOptions), (l, t, o) => new SharedBottom(l, t, (SharedBottomOptions)o)),
            [SingleTask.Name] = (typeof(SingleTaskOptions), (l, t, o) => new SingleTask(l, t, (SingleTaskOptions)o)),
            [MeMmoe.Name] = (typeof(MeMmoeOptions), (l, t, o) => new MeMmoe(l, t, (MeMmoeOptions)o)),
            [MePle.Name] = (typeof(MePleOptions), (l, t, o) => new MePle(l, t, (MePleOptions)o)),
            [Esmm.Name] = (typeof(EsmmOptions), (l, t, o) => new Esmm(l, t, (EsmmOptions)o)),
            [Aitm.Name] = (typeof(AitmOptions), (l, t, o) => new Aitm(l, t, (AitmOptions)o)),
        };

    /// <summary>Every built-in model name.</summary>
    public static IReadOnlyList<string> Names { get; } = Models.Keys.ToArray();

    /// <summary>The canonical name of a model (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No model has that name; the message lists the known ones.</exception>
    public static string Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Names.FirstOrDefault(n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown model '{name}'; known models: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>The default options of a model.</summary>
    public static ModelOptions DefaultOptions(string name) =>
        (ModelOptions)Activator.CreateInstance(Models[Resolve(name)].Options)!;

    /// <summary>The name of the model that takes these options.</summary>
    public static string NameOf(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Models.First(m => m.Value.Options == options.GetType()).Key;
    }

    /// <summary>Creates a model by name, with default options unless given.</summary>
    /// <exception cref="ArgumentException">Unknown name, options of another model, or invalid options.</exception>
    public static IMultiTaskModel Create(string name, FeatureLayout layout, IReadOnlyList<string> taskNames, ModelOptions? options = null)
    {
        var canonical = Resolve(name);
        var entry = Models[canonical];
        options ??= DefaultOptions(canonical);
        if (options.GetType() != entry.Options)
        {
            throw new ArgumentException($"Model '{canonical}' takes {entry.Options.Name}, not {options.GetType().Name}.", nameof(options));
        }

        return entry.Create(layout, taskNames, options);
    }

    /// <summary>Creates the model that the options belong to.</summary>
    public static IMultiTaskModel Create(ModelOptions options, FeatureLayout layout, IReadOnlyList<string> taskNames) =>
        Create(NameOf(options), layout, taskNames, options);
}
