using System.Text.RegularExpressions;
using STEM.Recommenders.Models;

namespace STEM.Recommenders.Hosting;

/// <summary>Turns the <c>variants</c> section of an experiment into complete configurations, one per named ablation.</summary>
public static partial class ExperimentVariants
{
    /// <summary>Every variant of the configuration, in file order.</summary>
    /// <exception cref="ExperimentConfigException">A name is missing, malformed or repeated, a model is unknown, or an override is invalid; the message names <c>$.variants[i]...</c>.</exception>
    public static IReadOnlyList<NamedExperiment> Resolve(ExperimentConfig config, string source = "configuration")
    {
        ArgumentNullException.ThrowIfNull(config);
        var variants = config.Variants ?? [];
        var result = new List<NamedExperiment>();
        for (var i = 0; i < variants.Count; i++)
        {
            var variant = variants[i] ?? throw new ExperimentConfigException(source, $"$.variants[{i}]", "is null");
            if (!NamePattern().IsMatch(variant.Name ?? string.Empty))
            {
                throw new ExperimentConfigException(source, $"$.variants[{i}].name", $"'{variant.Name}' is not a variant name: give letters, digits, '.', '_', '+' or '-' (it names a row and a directory)");
            }

            if (result.Any(r => string.Equals(r.Name, variant.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new ExperimentConfigException(source, $"$.variants[{i}].name", $"'{variant.Name}' names two variants");
            }

            var start = config with { Search = null, Variants = null };
            if (variant.Model is { } model)
            {
                string name;
                try
                {
                    name = ModelCatalog.Resolve(model);
                }
                catch (ArgumentException e)
                {
                    throw new ExperimentConfigException(source, $"$.variants[{i}].model", e.Message.Split(" (Parameter")[0], e);
                }

                // As in stem compare: another model starts from its defaults, at the experiment's precision.
                if (name != ModelCatalog.NameOf(config.Model))
                {
                    start = start with { Model = ModelCatalog.DefaultOptions(name) with { Precision = config.Model.Precision } };
                }
            }

            var index = i;
            var resolved = ExperimentOverrides.Apply(start, variant.Overrides ?? new Dictionary<string, System.Text.Json.JsonElement>(), source, path => $"$.variants[{index}].overrides['{path}']");
            result.Add(new NamedExperiment(variant.Name!, resolved));
        }

        return result;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._+-]*$")]
    private static partial Regex NamePattern();
}
