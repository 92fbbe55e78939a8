using STEM.Recommenders.EncodedData;
using System.Text.Json.Serialization.Metadata;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Models;

/// <summary>
/// Creates models by name ("stem-net", "mmoe", …) or from their options. Custom models join with
/// <see cref="Register{TOptions}"/>, after which artifacts, experiment files and configuration can
/// name them like built-in ones.
/// </summary>
public static class ModelCatalog
{
    private static readonly object Gate = new();

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

    private static string[] _names = Models.Keys.ToArray();
    private static int _version;

    /// <summary>Changes whenever a model is registered (JSON settings that cache type information rebuild then).</summary>
    internal static int Version => Volatile.Read(ref _version);

    /// <summary>Every model name: the built-in ones, then registered ones.</summary>
    public static IReadOnlyList<string> Names => Volatile.Read(ref _names);

    /// <summary>
    /// Adds a custom model so that <see cref="Create(string, FeatureLayout, IReadOnlyList{string}, ModelOptions?)"/>,
    /// <c>Serving.ModelArtifact</c> and experiment files can create it by name, with its options
    /// serialised under <c>"model": name</c>. Thread-safe: it may run while other threads read
    /// artifacts or configurations; JSON settings built before it are rebuilt on their next use.
    /// </summary>
    /// <exception cref="ArgumentException">The name or the options type is already registered.</exception>
    public static void Register<TOptions>(string name, Func<FeatureLayout, IReadOnlyList<string>, TOptions, IMultiTaskModel> create)
        where TOptions : ModelOptions, new()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(create);
        lock (Gate)
        {
            if (Models.ContainsKey(name) || Models.Values.Any(m => m.Options == typeof(TOptions)))
            {
                throw new ArgumentException($"A model named '{name}' or taking {typeof(TOptions).Name} is already in the catalog.", nameof(name));
            }

            Models[name] = (typeof(TOptions), (l, t, o) => create(l, t, (TOptions)o));
            Volatile.Write(ref _names, Models.Keys.ToArray());
            Interlocked.Increment(ref _version);
        }
    }

    /// <summary>Removes a registered model (tests register their own and must leave the catalog as they found it).</summary>
    internal static bool Unregister(string name)
    {
        lock (Gate)
        {
            if (!Models.Remove(name))
            {
                return false;
            }

            Volatile.Write(ref _names, Models.Keys.ToArray());
            Interlocked.Increment(ref _version);
            return true;
        }
    }

    /// <summary>
    /// A System.Text.Json type-info modifier that makes registered options types part of
    /// <see cref="ModelOptions"/>' polymorphism (the built-in ones are declared by attributes).
    /// </summary>
    public static void AddRegisteredOptionTypes(JsonTypeInfo typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        if (typeInfo.Type != typeof(ModelOptions) || typeInfo.PolymorphismOptions is not { } polymorphism)
        {
            return;
        }

        lock (Gate)
        {
            foreach (var (name, entry) in Models)
            {
                if (polymorphism.DerivedTypes.All(d => d.DerivedType != entry.Options))
                {
                    polymorphism.DerivedTypes.Add(new JsonDerivedType(entry.Options, name));
                }
            }
        }
    }

    /// <summary>
    /// A new type-info resolver with <see cref="AddRegisteredOptionTypes"/>, for JSON settings that read
    /// or write model options. System.Text.Json caches type information per settings object, so
    /// settings built before a <see cref="Register{TOptions}"/> call do not see that model.
    /// </summary>
    public static IJsonTypeInfoResolver CreateJsonTypeInfoResolver() => new DefaultJsonTypeInfoResolver { Modifiers = { AddRegisteredOptionTypes } };

    /// <summary>The canonical name of a model (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No model has that name; the message lists the known ones.</exception>
    public static string Resolve(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Names.FirstOrDefault(n => string.Equals(n, name.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown model '{name}'; known models: {string.Join(", ", Names)}.", nameof(name));
    }

    /// <summary>The default options of a model.</summary>
    public static ModelOptions DefaultOptions(string name)
    {
        var canonical = Resolve(name);
        lock (Gate)
        {
            return (ModelOptions)Activator.CreateInstance(Models[canonical].Options)!;
        }
    }

    /// <summary>The name of the model that takes these options.</summary>
    public static string NameOf(ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        lock (Gate)
        {
            return Models.FirstOrDefault(m => m.Value.Options == options.GetType()).Key
                ?? throw new ArgumentException($"{options.GetType().Name} belongs to no registered model; register it with ModelCatalog.Register.", nameof(options));
        }
    }

    /// <summary>Creates a model by name, with default options unless given.</summary>
    /// <exception cref="ArgumentException">Unknown name, options of another model, or invalid options.</exception>
    public static IMultiTaskModel Create(string name, FeatureLayout layout, IReadOnlyList<string> taskNames, ModelOptions? options = null)
    {
        var canonical = Resolve(name);
        (Type Options, Func<FeatureLayout, IReadOnlyList<string>, ModelOptions, IMultiTaskModel> Create) entry;
        lock (Gate)
        {
            entry = Models[canonical];
        }

        options ??= DefaultOptions(canonical);
        if (options.GetType() != entry.Options)
        {
            throw new ArgumentException($"Model '{canonical}' takes {entry.Options.Name}, not {options.GetType().Name}.", nameof(options));
        }

        // Sizes are checked before anything is allocated: options first, then the memory estimate.
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(taskNames);
        options.Validate();
        ModelSize.Check(canonical, layout, taskNames, options, probeLayout => entry.Create(probeLayout, taskNames, options));
        return entry.Create(layout, taskNames, options);
    }

    /// <summary>Creates the model that the options belong to.</summary>
    public static IMultiTaskModel Create(ModelOptions options, FeatureLayout layout, IReadOnlyList<string> taskNames) =>
        Create(NameOf(options), layout, taskNames, options);
}
