namespace STEM.Recommenders.Datasets;

/// <summary>
/// The dataset presets that experiment files (<c>data.preset</c>), the command line
/// (<c>--preset</c>) and <c>AddStemRecommenders</c> can name: kuairand, census-income and synthetic
/// are built in, and <see cref="Register"/> adds more. Like the model catalog, it is one registry
/// per process: register at start-up, before any experiment is loaded.
/// </summary>
public static class DatasetPresets
{
    private static readonly object Gate = new();

    private static readonly IDatasetPreset[] BuiltIns = [new KuaiRandRegistration(), new CensusIncomeRegistration(), new SyntheticRegistration()];

    private static readonly Dictionary<string, IDatasetPreset> Presets = BuiltIns.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);

    private static string[] _names = [.. BuiltIns.Select(p => p.Name)];

    /// <summary>Every preset name: the built-in ones, then registered ones in the order they were registered.</summary>
    public static IReadOnlyList<string> Names => Volatile.Read(ref _names);

    /// <summary>Adds a preset, after which experiment files, the command line and hosted runs can name it.</summary>
    /// <exception cref="ArgumentException">The name is blank or taken (letter case does not matter).</exception>
    public static void Register(IDatasetPreset preset)
    {
        ArgumentNullException.ThrowIfNull(preset);
        ArgumentException.ThrowIfNullOrWhiteSpace(preset.Name, nameof(preset));
        lock (Gate)
        {
            if (!Presets.TryAdd(preset.Name.Trim(), preset))
            {
                throw new ArgumentException($"A dataset preset named '{preset.Name}' is already registered.", nameof(preset));
            }

            Volatile.Write(ref _names, [.. _names, preset.Name.Trim()]);
        }
    }

    /// <summary>Returns the canonical name of a preset (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the registered ones.</exception>
    public static string Resolve(string name) => Get(name).Name.Trim();

    /// <summary>The preset of that name (case-insensitive).</summary>
    /// <exception cref="ArgumentException">No preset has that name; the message lists the registered ones.</exception>
    public static IDatasetPreset Get(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        lock (Gate)
        {
            return Presets.TryGetValue(name.Trim(), out var preset)
                ? preset
                : throw new ArgumentException($"Unknown dataset preset '{name}'; known presets: {string.Join(", ", _names)}.", nameof(name));
        }
    }

    /// <summary>Removes a registered preset (tests register their own and must leave the list as they found it).</summary>
    internal static bool Unregister(string name)
    {
        lock (Gate)
        {
            if (BuiltIns.Any(p => string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase)) || !Presets.Remove(name))
            {
                return false;
            }

            Volatile.Write(ref _names, _names.Where(n => !string.Equals(n, name, StringComparison.OrdinalIgnoreCase)).ToArray());
            return true;
        }
    }
}
