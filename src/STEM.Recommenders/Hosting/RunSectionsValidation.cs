using System.Text.Json;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// Checks the search and variants sections when an experiment is loaded, so that a misspelled option
/// or a bad value is refused at once, not after the trials before it have trained for hours.
/// </summary>
internal static class RunSectionsValidation
{
    public static void Validate(ExperimentConfig config, string source)
    {
        if (config.Search is { } search)
        {
            ValidateSearch(config, search, source);
        }

        if (config.Variants is not null)
        {
            _ = ExperimentVariants.Resolve(config, source);
        }
    }

    private static void ValidateSearch(ExperimentConfig config, SearchConfig search, string source)
    {
        if (search.Space is null || search.Space.Count == 0)
        {
            throw new ExperimentConfigException(source, "$.search.space", "is empty: list at least one option path with the values to try, e.g. {\"training.optimizer.learningRate\": [0.001, 0.0005]}");
        }

        if (!Enum.IsDefined(search.Strategy))
        {
            throw new ExperimentConfigException(source, "$.search.strategy", $"'{search.Strategy}' is not grid or random");
        }

        if (search.Trials is < 1)
        {
            throw new ExperimentConfigException(source, "$.search.trials", $"must be at least 1 (was {search.Trials}); leave it out for the whole grid");
        }

        if (search.Monitor is { } monitor)
        {
            CheckMonitor(config, monitor, source);
        }

        var start = config with { Search = null, Variants = null };
        foreach (var (path, values) in search.Space)
        {
            var entry = $"$.search.space['{path}']";
            ExperimentOverrides.CheckPath(path, source, entry);
            if (values is null || values.Count == 0)
            {
                throw new ExperimentConfigException(source, entry, "lists no values (an empty grid trains nothing)");
            }

            // Every value alone, so that the error names the one that is wrong.
            for (var i = 0; i < values.Count; i++)
            {
                var index = i;
                _ = ExperimentOverrides.Apply(start, [new KeyValuePair<string, JsonElement>(path, values[i])], source, _ => $"{entry}[{index}]");
            }
        }
    }

    /// <summary>The monitor must read validation metrics of a task the data has (when the task names follow from the configuration).</summary>
    private static void CheckMonitor(ExperimentConfig config, string monitor, string source)
    {
        if (monitor.Trim().StartsWith("test", StringComparison.OrdinalIgnoreCase))
        {
            throw new ExperimentConfigException(source, "$.search.monitor", $"'{monitor}': the winner is chosen on the validation split only; the test split is evaluated once, by stem compare --tuned");
        }

        var tasks = TaskNames(config.Data);
        try
        {
            _ = MonitorMetric.Parse(monitor, tasks ?? [monitor.Split(':', 2).ElementAtOrDefault(1) ?? string.Empty]);
        }
        catch (ArgumentException e)
        {
            throw new ExperimentConfigException(source, "$.search.monitor", e.Message.Split(" (Parameter")[0], e);
        }
    }

    /// <summary>The task names, when the configuration alone gives them (a preset or a schema).</summary>
    internal static IReadOnlyList<string>? TaskNames(DataConfig? data)
    {
        if (data is null)
        {
            return null;
        }

        try
        {
            return data.Preset is null ? data.Schema?.Tasks.Select(t => t.Name).ToArray() : DatasetPresets.Get(data.Preset).TaskNames(data);
        }
        catch (ArgumentException)
        {
            // The data section's own validation reports it.
            return null;
        }
    }
}
