namespace STEM.Recommenders.Training.Weighting;

/// <summary>
/// The loss weightings that experiment files (<c>weighting.name</c>), the command line and
/// <c>AddStemRecommenders</c> can name: fixed, uncertainty and gradnorm are built in, and
/// <see cref="Register(ILossWeightingFactory)"/> adds more. One registry per process, like the
/// model catalog: register at start-up, before any experiment is loaded.
/// </summary>
public static class LossWeightings
{
    private static readonly object Gate = new();

    private static readonly ILossWeightingFactory[] BuiltIns =
    [
        new FixedWeightingFactory(),
        new DelegateLossWeightingFactory("uncertainty", "Kendall et al.'s learnt task uncertainties: Σ L_t / (2 e^{s_t}) + s_t / 2; no settings.", _ => new UncertaintyWeighting()),
        new DelegateLossWeightingFactory("gradnorm", "GradNorm (Chen et al.): task weights that balance gradient norms at the last shared layer; alpha (default 1.5).", c => new GradNormWeighting(c.Alpha)),
    ];

    private static readonly Dictionary<string, ILossWeightingFactory> Factories = BuiltIns.ToDictionary(f => f.Name, StringComparer.OrdinalIgnoreCase);

    private static string[] _names = [.. BuiltIns.Select(f => f.Name)];

    /// <summary>Every weighting name: the built-in ones, then registered ones in the order they were registered.</summary>
    public static IReadOnlyList<string> Names => Volatile.Read(ref _names);

    /// <summary>Adds a weighting, after which experiment files, the command line and hosted runs can name it.</summary>
    /// <exception cref="ArgumentException">The name is blank or taken (letter case does not matter).</exception>
    public static void Register(ILossWeightingFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentException.ThrowIfNullOrWhiteSpace(factory.Name, nameof(factory));
        lock (Gate)
        {
            if (!Factories.TryAdd(factory.Name.Trim(), factory))
            {
                throw new ArgumentException($"A loss weighting named '{factory.Name}' is already registered.", nameof(factory));
            }

            Volatile.Write(ref _names, [.. _names, factory.Name.Trim()]);
        }
    }

    /// <summary>
    /// Adds a weighting from a delegate; its settings are validated by creating one and disposing
    /// it, so the constructor's argument checks (named after the settings) are the validation.
    /// </summary>
    /// <exception cref="ArgumentException">The name is blank or taken.</exception>
    public static void Register(string name, string description, Func<WeightingConfig, ILossWeighting> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(description);
        ArgumentNullException.ThrowIfNull(create);
        Register(new DelegateLossWeightingFactory(name, description, create));
    }

    /// <summary>The canonical name of a weighting (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No weighting has that name; the message lists the registered ones.</exception>
    public static string Resolve(string name) => Get(name).Name.Trim();

    /// <summary>The factory of that name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No weighting has that name; the message lists the registered ones.</exception>
    public static ILossWeightingFactory Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (Gate)
        {
            return Factories.TryGetValue(name.Trim(), out var factory)
                ? factory
                : throw new ArgumentException($"Unknown loss weighting '{name}'; known: {string.Join(", ", _names)}.", nameof(name));
        }
    }

    /// <summary>Checks a weighting section: the name is registered and its factory accepts the settings.</summary>
    /// <exception cref="ArgumentException">Unknown name (<see cref="ArgumentException.ParamName"/> "name") or a setting the factory rejects.</exception>
    public static void Validate(WeightingConfig config, IReadOnlyList<string>? taskNames = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        Get(config.Name).Validate(config, taskNames);
    }

    /// <summary>Creates the weighting a section names, for one training run.</summary>
    /// <exception cref="ArgumentException">Unknown name or invalid settings.</exception>
    public static ILossWeighting Create(WeightingConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        return Get(config.Name).Create(config);
    }

    /// <summary>Creates a weighting by name ("fixed" takes optional per-task weights; "gradnorm" takes α).</summary>
    /// <exception cref="ArgumentException">Unknown name; the message lists the known ones.</exception>
    public static ILossWeighting Create(string name, IReadOnlyList<double>? fixedWeights = null, double gradNormAlpha = 1.5)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Create(new WeightingConfig { Name = name, Weights = fixedWeights, Alpha = gradNormAlpha });
    }

    /// <summary>Removes a registered weighting (tests register their own and must leave the list as they found it).</summary>
    internal static bool Unregister(string name)
    {
        lock (Gate)
        {
            if (BuiltIns.Any(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase)) || !Factories.Remove(name))
            {
                return false;
            }

            Volatile.Write(ref _names, _names.Where(n => !string.Equals(n, name, StringComparison.OrdinalIgnoreCase)).ToArray());
            return true;
        }
    }
}
