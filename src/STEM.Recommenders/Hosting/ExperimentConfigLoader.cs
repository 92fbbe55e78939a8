using System.Text.Json;
using System.Text.Json.Serialization;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training.Weighting;

namespace STEM.Recommenders.Hosting;

/// <summary>Reads experiment.json and validates it once, naming the JSON path of any bad value.</summary>
public static class ExperimentConfigLoader
{
    /// <summary>The JSON settings of experiment files (camelCase, comments and trailing commas allowed).</summary>
    public static JsonSerializerOptions JsonOptions => Settings.Current;

    private static readonly CatalogJsonOptions Settings = new(() =>
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            PropertyNameCaseInsensitive = true,
            ReadCommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            WriteIndented = true,
            DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
            UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        };

        // Every floating-point option must be finite (1e999 would read as +Infinity).
        foreach (var converter in FiniteNumberConverters.All)
        {
            options.Converters.Add(converter);
        }

        return options;
    });

    /// <summary>Reads and validates a file; relative data paths are resolved against the file's directory.</summary>
    /// <exception cref="ExperimentConfigException">The file is missing or invalid.</exception>
    public static async Task<ExperimentConfig> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new ExperimentConfigException(path, "$", "file not found");
        }

        var config = Parse(await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false), path);
        var baseDirectory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return config with { Data = ResolvePaths(config.Data, baseDirectory) };
    }

    /// <summary>Parses and validates JSON text.</summary>
    /// <exception cref="ExperimentConfigException">The JSON is malformed or a value is invalid.</exception>
    public static ExperimentConfig Parse(string json, string source = "configuration")
    {
        ExperimentConfig? config;
        try
        {
            config = JsonSerializer.Deserialize<ExperimentConfig>(json, JsonOptions);
        }
        catch (NotSupportedException e) when (e.Message.Contains("abstract", StringComparison.OrdinalIgnoreCase) || e.Message.Contains("polymorphic", StringComparison.OrdinalIgnoreCase))
        {
            throw new ExperimentConfigException(source, "$.model", $"name the model first, e.g. {{\"model\": \"stem-net\", ...}}; models: {string.Join(", ", ModelCatalog.Names)}", e);
        }
        catch (JsonException e)
        {
            var where = e.LineNumber is { } line ? $" (line {line + 1}, position {e.BytePositionInLine + 1})" : string.Empty;
            throw new ExperimentConfigException(source, e.Path ?? "$", Clean(e.Message) + where, e);
        }

        if (config is null)
        {
            throw new ExperimentConfigException(source, "$", "the document is empty");
        }

        Validate(config, source);
        return config;
    }

    /// <summary>Validates a configuration built in code.</summary>
    /// <exception cref="ExperimentConfigException">A value is invalid.</exception>
    public static void Validate(ExperimentConfig config, string source = "configuration")
    {
        ArgumentNullException.ThrowIfNull(config);
        Check(source, "$.model", () => config.Model.Validate());
        // The optimizer first, so that its errors name $.training.optimizer.X rather than $.training.X.
        Check(source, "$.training.optimizer", () => config.Training.Optimizer?.Validate());
        Check(source, "$.training", () => config.Training.Validate());
        Check(source, "$.weighting", () => LossWeightings.Validate(config.Weighting));
        if (config.Runtime.Threads is < 1)
        {
            throw new ExperimentConfigException(source, "$.runtime.threads", "must be at least 1");
        }

        if (!Enum.IsDefined(config.Runtime.TablePlacement))
        {
            throw new ExperimentConfigException(source, "$.runtime.tablePlacement", $"'{config.Runtime.TablePlacement}' is not Device or Host");
        }

        var data = config.Data ?? throw new ExperimentConfigException(source, "$.data", "is required");
        if (data.Preset is { } presetName)
        {
            IDatasetPreset preset;
            try
            {
                preset = DatasetPresets.Get(presetName);
            }
            catch (ArgumentException e)
            {
                throw new ExperimentConfigException(source, "$.data.preset", e.Message.Split(" (Parameter")[0], e);
            }

            Check(source, "$.data", () => preset.Validate(data));
            if (data.Schema is not null)
            {
                throw new ExperimentConfigException(source, "$.data.schema", "give either a preset or a schema, not both");
            }
        }
        else
        {
            if (data.Schema is null)
            {
                throw new ExperimentConfigException(source, "$.data", $"give a preset ({string.Join(", ", DatasetPresets.Names)}) or a schema with train, validation and test files");
            }

            Check(source, "$.data.schema", () => data.Schema.Validate());
            Check(source, "$.data", () => PresetChecks.RejectUnread("a custom schema", data, "train", "validation", "test", "schema", "joins"));
            foreach (var (value, name) in new[] { (data.Train, "train"), (data.Validation, "validation"), (data.Test, "test") })
            {
                if (string.IsNullOrWhiteSpace(value))
                {
                    throw new ExperimentConfigException(source, $"$.data.{name}", "is required with a custom schema");
                }
            }
        }

        if (data.MinCount is < 1)
        {
            throw new ExperimentConfigException(source, "$.data.minCount", "must be at least 1");
        }

        if (data.CacheChunkRows is < 1)
        {
            throw new ExperimentConfigException(source, "$.data.cacheChunkRows", "must be at least 1");
        }

        if (data.Cache is not null)
        {
            if (string.IsNullOrWhiteSpace(data.Cache))
            {
                throw new ExperimentConfigException(source, "$.data.cache", "must be a directory");
            }

            if (data.Preset is { } name && DatasetPresets.Get(name) is not IStreamingDatasetPreset)
            {
                throw new ExperimentConfigException(source, "$.data.cache", $"the '{DatasetPresets.Resolve(name)}' preset is read in memory only; a cache streams kuairand, custom data and presets that implement IStreamingDatasetPreset");
            }
        }

        RunSectionsValidation.Validate(config, source);
    }

    private static void Check(string source, string path, Action validate)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            var name = e.ParamName;
            var full = string.IsNullOrEmpty(name) ? path : $"{path}.{JsonNamingPolicy.CamelCase.ConvertName(name)}";
            throw new ExperimentConfigException(source, full, e.Message.Split(" (Parameter")[0], e);
        }
    }

    private static DataConfig ResolvePaths(DataConfig data, string baseDirectory)
    {
        string? Resolve(string? p) => string.IsNullOrWhiteSpace(p) || Path.IsPathRooted(p) ? p : Path.GetFullPath(Path.Combine(baseDirectory, p));
        return data with
        {
            Train = Resolve(data.Train),
            Validation = Resolve(data.Validation),
            Test = Resolve(data.Test),
            Users = Resolve(data.Users),
            Videos = Resolve(data.Videos),
            UserVectors = Resolve(data.UserVectors),
            Joins = data.Joins?.Select(j => j with { Path = Resolve(j.Path)! }).ToArray(),
        };
    }

    private static string Clean(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
