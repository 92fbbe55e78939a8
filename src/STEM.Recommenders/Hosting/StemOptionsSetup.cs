using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using STEM.Recommenders.Models;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;

namespace STEM.Recommenders.Hosting;

/// <summary>Fills <see cref="StemOptions"/> from a configuration section.</summary>
internal sealed class StemOptionsSetup(IConfiguration section) : IConfigureOptions<StemOptions>
{
    public void Configure(StemOptions options)
    {
        var path = section is IConfigurationSection s ? s.Path : "Stem";
        if (ConfigurationJson.ToNode(section) is not JsonObject root)
        {
            return;
        }

        foreach (var (key, value) in root)
        {
            switch (key.ToLowerInvariant())
            {
                case "runtime":
                    options.Runtime = ConfigurationJson.Read<RuntimeConfig>(value, $"{path}:{key}") ?? options.Runtime;
                    break;
                case "training":
                    options.Training = ConfigurationJson.Read<TrainerOptions>(value, $"{path}:{key}") ?? options.Training;
                    break;
                case "weighting":
                    options.Weighting = ConfigurationJson.Read<WeightingConfig>(value, $"{path}:{key}") ?? options.Weighting;
                    break;
                case "data":
                    options.Data = ConfigurationJson.Read<DataConfig>(value, $"{path}:{key}");
                    break;
                case "model":
                    options.Model = value?.GetValue<string>() ?? options.Model;
                    break;
                case "artifactpath":
                    options.ArtifactPath = value?.GetValue<string>();
                    break;
                case "outputdirectory":
                    options.OutputDirectory = value?.GetValue<string>();
                    break;
                case "models":
                    foreach (var (model, settings) in value as JsonObject ?? [])
                    {
                        var name = ResolveModel(model, $"{path}:{key}:{model}");
                        var node = settings?.DeepClone() as JsonObject ?? new JsonObject();

                        // The section key names the model, so the discriminator is optional here.
                        node.Remove("model");
                        var typed = new JsonObject { ["model"] = name };
                        foreach (var (k, v) in node)
                        {
                            typed[k] = v?.DeepClone();
                        }

                        options.Models[name] = ConfigurationJson.Read<ModelOptions>(typed, $"{path}:{key}:{model}")!;
                    }

                    break;
                default:
                    throw new ExperimentConfigException("configuration", $"{path}:{key}", "unknown setting; known: Runtime, Training, Weighting, Models, Model, Data, ArtifactPath, OutputDirectory");
            }
        }
    }

    private static string ResolveModel(string name, string path)
    {
        try
        {
            return ModelCatalog.Resolve(name);
        }
        catch (ArgumentException e)
        {
            throw new ExperimentConfigException("configuration", path, e.Message.Split(" (Parameter")[0], e);
        }
    }
}

/// <summary>Validates <see cref="StemOptions"/> once, at start, with messages that name the setting.</summary>
internal sealed class StemOptionsValidator : IValidateOptions<StemOptions>
{
    public ValidateOptionsResult Validate(string? name, StemOptions options)
    {
        var failures = new List<string>();
        void Check(string path, Action validate)
        {
            try
            {
                validate();
            }
            catch (ArgumentException e)
            {
                // Configuration keys are PascalCase; settings named after JSON ("weights") follow suit.
                var setting = string.IsNullOrEmpty(e.ParamName) ? path : $"{path}:{char.ToUpperInvariant(e.ParamName[0])}{e.ParamName[1..]}";
                failures.Add($"{setting}: {e.Message.Split(" (Parameter")[0]}");
            }
        }

        Check("Stem:Training", options.Training.Validate);
        Check("Stem:Model", () => ModelCatalog.Resolve(options.Model));
        Check("Stem:Weighting", () => LossWeightings.Validate(options.Weighting));
        foreach (var (model, settings) in options.Models)
        {
            Check($"Stem:Models:{model}", settings.Validate);
        }

        if (options.Runtime.Threads is < 1)
        {
            failures.Add("Stem:Runtime:Threads: must be at least 1.");
        }

        if (options.Data is { } data)
        {
            try
            {
                // The other sections are checked above, each on its own; with their defaults here,
                // the first failure the loader reports is the data section's, however many others fail.
                ExperimentConfigLoader.Validate(new ExperimentConfig { Data = data }, "Stem");
            }
            catch (ExperimentConfigException e)
            {
                failures.Add($"Stem:{string.Join(':', e.Path.TrimStart('$', '.').Split('.').Select(p => char.ToUpperInvariant(p[0]) + p[1..]))}: {e.Problem}");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
