using System.Text;
using System.Text.Json;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Serving;

/// <summary>
/// Loads a <see cref="ModelArtifact"/> with every claim checked before it is acted on (see
/// <see cref="ModelArtifact.LoadAsync"/>). Any failure becomes one <see cref="InvalidDataException"/>
/// that starts with the artifact as the user named it, then the file and, for weights, the tensor.
/// </summary>
internal static class ArtifactLoader
{
    /// <summary>artifact.json lists every weight's shape: large for a large model, never this large.</summary>
    private const long MetadataLimit = 16 << 20;

    /// <summary>Limits of the JSON files of artifacts that do not record their sizes (written before they did).</summary>
    private const long OptionsLimit = 1 << 20;
    private const long PipelineLimit = int.MaxValue;

    /// <summary>Slack over a recorded size: none is needed for files written by <see cref="ModelArtifact.SaveAsync"/>, a little is harmless.</summary>
    private const long Margin = 4096;

    public static async Task<ModelArtifact> LoadAsync(string path, Device? device, CancellationToken cancellationToken)
    {
        using var source = ArtifactSource.Open(path, ModelArtifact.FileNames);
        var shown = source.ShownAs;
        var metadata = Deserialize<ArtifactMetadata>(await ReadTextAsync(source, ModelArtifact.MetadataFile, MetadataLimit, cancellationToken).ConfigureAwait(false), shown, ModelArtifact.MetadataFile);
        CheckMetadata(metadata, shown);

        long LimitOf(string file, long fallback) => metadata.Files is { } files
            ? (files.TryGetValue(file, out var size) && size >= 0 ? size + Margin : throw new InvalidDataException($"{shown}: {ModelArtifact.MetadataFile} records no size for {file}."))
            : fallback;

        var options = Deserialize<ModelOptions>(await ReadTextAsync(source, ModelArtifact.OptionsFile, LimitOf(ModelArtifact.OptionsFile, OptionsLimit), cancellationToken).ConfigureAwait(false), shown, ModelArtifact.OptionsFile);
        CheckOptions(metadata, options, shown);

        var pipelineText = await ReadTextAsync(source, ModelArtifact.PipelineFile, LimitOf(ModelArtifact.PipelineFile, PipelineLimit), cancellationToken).ConfigureAwait(false);
        FeaturePipeline pipeline;
        try
        {
            pipeline = FeaturePipeline.FromJson(pipelineText, $"{shown}: {ModelArtifact.PipelineFile}");
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.PipelineFile}: {e.Message}", e);
        }

        if (!pipeline.TaskNames.SequenceEqual(metadata.TaskNames))
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.PipelineFile} encodes tasks {string.Join(", ", pipeline.TaskNames)} but {ModelArtifact.MetadataFile} names {string.Join(", ", metadata.TaskNames)}.");
        }

        IMultiTaskModel model;
        try
        {
            model = metadata.TaskMembers is { } taskMembers
                ? PerTaskModel(metadata.ModelName, pipeline, metadata.TaskNames, options, taskMembers)
                : ModelCatalog.Create(metadata.ModelName, pipeline.Layout, metadata.TaskNames, options);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.OptionsFile}: {e.Message.Split(" (Parameter")[0]}", e);
        }

        try
        {
            CheckDeclaredShapes(metadata, model, shown);
            var weightsLimit = LimitOf(ModelArtifact.WeightsFile, WeightsBound(metadata));
            using (var weights = source.Open(ModelArtifact.WeightsFile, weightsLimit))
            {
                try
                {
                    TensorFile.ReadStateInto(weights, model.TorchModule.state_dict(), checkFinite: true);
                }
                catch (InvalidDataException e) when (!e.Message.StartsWith(shown, StringComparison.Ordinal))
                {
                    throw new InvalidDataException($"{shown}: {ModelArtifact.WeightsFile}: {e.Message}.", e);
                }
            }

            if (device is not null && device.type != DeviceType.CPU)
            {
                model.TorchModule.to(device);
            }

            model.TorchModule.eval();
            return ModelArtifact.Loaded(model, pipeline, metadata);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The copies of a per-task-selected model, built empty (their weights load from weights.bin).</summary>
    private static PerTaskSelectedModel PerTaskModel(string name, FeaturePipeline pipeline, IReadOnlyList<string> tasks, ModelOptions options, IReadOnlyList<int> taskMembers)
    {
        var members = new List<IMultiTaskModel>();
        try
        {
            for (var k = 0; k <= taskMembers.Max(); k++)
            {
                members.Add(ModelCatalog.Create(name, pipeline.Layout, tasks, options));
            }

            return new PerTaskSelectedModel(members, taskMembers);
        }
        catch
        {
            foreach (var member in members)
            {
                member.Dispose();
            }

            throw;
        }
    }

    private static void CheckMetadata(ArtifactMetadata metadata, string shown)
    {
        if (metadata.FormatVersion != ArtifactMetadata.CurrentFormatVersion)
        {
            throw new InvalidDataException($"{shown}: artifact format version {metadata.FormatVersion} (written by STEM.Recommenders {metadata.LibraryVersion}) is not supported; this library ({ModelArtifact.LibraryVersion}) reads version {ArtifactMetadata.CurrentFormatVersion}.");
        }

        if (metadata.TaskNames is not { Count: > 0 } tasks || tasks.Any(string.IsNullOrWhiteSpace) || tasks.Distinct(StringComparer.Ordinal).Count() != tasks.Count)
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.MetadataFile}: taskNames must list distinct, non-empty task names.");
        }

        // Checked before any model is built: one copy per member, at most one per task.
        if (metadata.TaskMembers is { } members
            && (members.Count != metadata.TaskNames.Count || members.Any(m => m < 0 || m >= members.Count) || members.Distinct().Count() != members.Max() + 1))
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.MetadataFile}: taskMembers must give each of the {metadata.TaskNames.Count} tasks a member index, numbered from 0 without gaps; got [{string.Join(", ", members)}].");
        }

        if (metadata.Weights is null || metadata.Weights.Values.Any(shape => shape is null || shape.Any(d => d < 0)))
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.MetadataFile}: weights must give every tensor's shape as non-negative dimensions.");
        }

        if (!ModelCatalog.Names.Contains(metadata.ModelName, StringComparer.OrdinalIgnoreCase))
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.MetadataFile}: the model '{metadata.ModelName}' is not in the catalog (models: {string.Join(", ", ModelCatalog.Names)}); a custom model must be registered with ModelCatalog.Register before its artifacts are loaded.");
        }
    }

    private static void CheckOptions(ArtifactMetadata metadata, ModelOptions options, string shown)
    {
        var named = ModelCatalog.Resolve(metadata.ModelName);
        var held = ModelCatalog.NameOf(options);
        if (!string.Equals(named, held, StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.OptionsFile} holds the options of {held} but {ModelArtifact.MetadataFile} names the model {named}.");
        }

        try
        {
            options.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.OptionsFile}: {e.Message.Split(" (Parameter")[0]}", e);
        }
    }

    private static void CheckDeclaredShapes(ArtifactMetadata metadata, IMultiTaskModel model, string shown)
    {
        var expected = ModelArtifact.ShapesOf(model);
        foreach (var (name, shape) in expected)
        {
            if (!metadata.Weights.TryGetValue(name, out var stored))
            {
                throw new InvalidDataException($"{shown}: {ModelArtifact.MetadataFile}: the artifact lacks weight '{name}' that a {metadata.ModelName} with these options has.");
            }

            if (!stored.SequenceEqual(shape))
            {
                throw new InvalidDataException($"{shown}: {ModelArtifact.MetadataFile}: weight '{name}' has shape [{string.Join(", ", stored)}] in the artifact but [{string.Join(", ", shape)}] in the model rebuilt from its options and pipeline.");
            }
        }

        var extra = metadata.Weights.Keys.Except(expected.Keys).FirstOrDefault();
        if (extra is not null)
        {
            throw new InvalidDataException($"{shown}: {ModelArtifact.MetadataFile}: the artifact has weight '{extra}' that the rebuilt {metadata.ModelName} does not.");
        }
    }

    /// <summary>The most bytes weights.bin can need for the declared shapes (8 bytes an element, plus names and headers).</summary>
    private static long WeightsBound(ArtifactMetadata metadata)
    {
        long bound = Margin;
        foreach (var (name, shape) in metadata.Weights)
        {
            var elements = shape.Aggregate(1L, (a, d) => d == 0 ? 0 : a > long.MaxValue / 16 / Math.Max(d, 1) ? long.MaxValue / 16 : a * d);
            bound = Math.Min(long.MaxValue / 2, bound + (elements * 8) + Encoding.UTF8.GetByteCount(name) + 16 + (10 * shape.Length));
        }

        return bound;
    }

    private static async Task<string> ReadTextAsync(ArtifactSource source, string file, long limit, CancellationToken cancellationToken)
    {
        await using var stream = source.Open(file, limit);
        using var reader = new StreamReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true));
        try
        {
            return await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (DecoderFallbackException e)
        {
            throw new InvalidDataException($"{source.ShownAs}: {file} is not UTF-8 text.", e);
        }
    }

    private static T Deserialize<T>(string json, string shown, string file)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, ModelArtifact.JsonSettings) ?? throw new InvalidDataException($"{shown}: {file} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{shown}: {file}: invalid JSON ({e.Message}).", e);
        }
        catch (NotSupportedException e)
        {
            throw new InvalidDataException($"{shown}: {file}: {e.Message}", e);
        }
    }
}
