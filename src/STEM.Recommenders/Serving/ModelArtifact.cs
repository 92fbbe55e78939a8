using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Serving;

/// <summary>
/// A trained model ready to serve: the fitted feature pipeline, the model type and options, the
/// weights, task names, library version and the metrics it was trained to. It is a directory
/// (artifact.json, pipeline.json, weights.bin) or the same three files in one zip file
/// (a path ending in ".zip" or ".stem"). Loading reads JSON and tensors only — no code from the
/// artifact is ever executed — and checks versions and every weight's shape first.
/// </summary>
public sealed class ModelArtifact : IDisposable
{
    /// <summary>Metadata file name.</summary>
    public const string MetadataFile = "artifact.json";

    /// <summary>Feature pipeline file name.</summary>
    public const string PipelineFile = "pipeline.json";

    /// <summary>Weights file name.</summary>
    public const string WeightsFile = "weights.bin";

    /// <summary>Model options file name.</summary>
    public const string OptionsFile = "model.json";

    private static readonly CatalogJsonOptions Settings = new(() => new JsonSerializerOptions
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    });

    private static JsonSerializerOptions Json => Settings.Current;

    private ModelArtifact(IMultiTaskModel model, FeaturePipeline pipeline, ArtifactMetadata metadata, bool ownsModel)
    {
        Model = model;
        Pipeline = pipeline;
        Metadata = metadata;
        OwnsModel = ownsModel;
    }

    /// <summary>
    /// Whether <see cref="Dispose"/> disposes <see cref="Model"/>: true for a loaded artifact and for
    /// <see cref="Create(IMultiTaskModel, FeaturePipeline, IReadOnlyDictionary{string, double}?)"/>;
    /// false for <see cref="Create(IMultiTaskModel, FeaturePipeline, bool, IReadOnlyDictionary{string, double}?)"/> with <c>ownsModel: false</c>.
    /// </summary>
    public bool OwnsModel { get; }

    /// <summary>The model.</summary>
    public IMultiTaskModel Model { get; }

    /// <summary>The fitted feature pipeline.</summary>
    public FeaturePipeline Pipeline { get; }

    /// <summary>Metadata.</summary>
    public ArtifactMetadata Metadata { get; }

    /// <summary>The version of this library (written into artifacts).</summary>
    public static string LibraryVersion { get; } =
        typeof(ModelArtifact).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0]
        ?? typeof(ModelArtifact).Assembly.GetName().Version?.ToString() ?? "0.0.0";

    /// <summary>Bundles a trained model and its pipeline; the artifact takes ownership of the model (disposing the artifact disposes it).</summary>
    /// <exception cref="ArgumentException">The model's tasks or layout differ from the pipeline's.</exception>
    public static ModelArtifact Create(IMultiTaskModel model, FeaturePipeline pipeline, IReadOnlyDictionary<string, double>? metrics = null) =>
        Create(model, pipeline, ownsModel: true, metrics);

    /// <summary>Bundles a trained model and its pipeline, saying who disposes the model.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="pipeline">The fitted pipeline it was trained on.</param>
    /// <param name="ownsModel">True: disposing the artifact disposes the model (do not dispose it yourself). False: the caller keeps the model and disposes it after the artifact.</param>
    /// <param name="metrics">Metrics to record in artifact.json.</param>
    /// <exception cref="ArgumentException">The model's tasks or layout differ from the pipeline's.</exception>
    public static ModelArtifact Create(IMultiTaskModel model, FeaturePipeline pipeline, bool ownsModel, IReadOnlyDictionary<string, double>? metrics = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pipeline);
        if (!model.TaskNames.SequenceEqual(pipeline.TaskNames))
        {
            throw new ArgumentException($"The model predicts {string.Join(", ", model.TaskNames)} but the pipeline encodes {string.Join(", ", pipeline.TaskNames)}.", nameof(model));
        }

        if (model.Layout.DifferenceFrom(pipeline.Layout, "the model", "the pipeline") is { } difference)
        {
            throw new ArgumentException($"The model was built for another feature layout than the pipeline's: {difference}.", nameof(model));
        }

        var metadata = new ArtifactMetadata
        {
            FormatVersion = ArtifactMetadata.CurrentFormatVersion,
            LibraryVersion = LibraryVersion,
            ModelName = model.ModelName,
            TaskNames = model.TaskNames,
            CreatedUtc = DateTimeOffset.UtcNow,
            Weights = ShapesOf(model),
            Metrics = metrics,
        };
        return new ModelArtifact(model, pipeline, metadata, ownsModel);
    }

    /// <summary>Writes the artifact to a directory, or to one zip file when the path ends in ".zip" or ".stem".</summary>
    public async Task SaveAsync(string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        var single = IsSingleFile(path);
        var directory = single ? Path.Combine(Path.GetTempPath(), "stem-artifact-" + Guid.NewGuid().ToString("N")) : path;
        Directory.CreateDirectory(directory);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(directory, MetadataFile), JsonSerializer.Serialize(Metadata, Json), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(directory, OptionsFile), JsonSerializer.Serialize(Model.Options, Json), cancellationToken).ConfigureAwait(false);
            await Pipeline.SaveAsync(Path.Combine(directory, PipelineFile), cancellationToken).ConfigureAwait(false);
            Model.TorchModule.save(Path.Combine(directory, WeightsFile));
            if (single)
            {
                var parent = Path.GetDirectoryName(Path.GetFullPath(path));
                if (!string.IsNullOrEmpty(parent))
                {
                    Directory.CreateDirectory(parent);
                }

                File.Delete(path);
                ZipFile.CreateFromDirectory(directory, path, CompressionLevel.Fastest, includeBaseDirectory: false);
            }
        }
        finally
        {
            if (single)
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Loads an artifact onto a device (CPU by default), in eval mode.</summary>
    /// <exception cref="InvalidDataException">The artifact is incomplete, of another format version, or its weights do not fit its model.</exception>
    public static async Task<ModelArtifact> LoadAsync(string path, Device? device = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (IsSingleFile(path) && File.Exists(path))
        {
            var directory = Path.Combine(Path.GetTempPath(), "stem-artifact-" + Guid.NewGuid().ToString("N"));
            try
            {
                ZipFile.ExtractToDirectory(path, directory);
                return await LoadDirectoryAsync(directory, path, device, cancellationToken).ConfigureAwait(false);
            }
            catch (InvalidDataException e) when (!Directory.Exists(directory) || !File.Exists(Path.Combine(directory, MetadataFile)))
            {
                throw new InvalidDataException($"{path}: not a model artifact zip file ({e.Message}).", e);
            }
            finally
            {
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no model artifact here (expected a directory with {MetadataFile}, or a .zip/.stem file).", path);
        }

        return await LoadDirectoryAsync(path, path, device, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Disposes the model when the artifact owns it (<see cref="OwnsModel"/>).</summary>
    public void Dispose()
    {
        if (OwnsModel)
        {
            Model.Dispose();
        }
    }

    private static async Task<ModelArtifact> LoadDirectoryAsync(string directory, string shownAs, Device? device, CancellationToken cancellationToken)
    {
        string Need(string file)
        {
            var full = Path.Combine(directory, file);
            return File.Exists(full) ? full : throw new InvalidDataException($"{shownAs}: the artifact has no {file}.");
        }

        ArtifactMetadata metadata;
        ModelOptions options;
        try
        {
            metadata = JsonSerializer.Deserialize<ArtifactMetadata>(await File.ReadAllTextAsync(Need(MetadataFile), cancellationToken).ConfigureAwait(false), Json)
                ?? throw new InvalidDataException($"{shownAs}: {MetadataFile} is empty.");
            if (metadata.FormatVersion != ArtifactMetadata.CurrentFormatVersion)
            {
                throw new InvalidDataException($"{shownAs}: artifact format version {metadata.FormatVersion} (written by STEM.Recommenders {metadata.LibraryVersion}) is not supported; this library ({LibraryVersion}) reads version {ArtifactMetadata.CurrentFormatVersion}.");
            }

            options = JsonSerializer.Deserialize<ModelOptions>(await File.ReadAllTextAsync(Need(OptionsFile), cancellationToken).ConfigureAwait(false), Json)
                ?? throw new InvalidDataException($"{shownAs}: {OptionsFile} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{shownAs}: invalid artifact JSON ({e.Message}).", e);
        }

        var pipeline = await FeaturePipeline.LoadAsync(Need(PipelineFile), cancellationToken).ConfigureAwait(false);
        var model = ModelCatalog.Create(metadata.ModelName, pipeline.Layout, metadata.TaskNames, options);
        try
        {
            var expected = ShapesOf(model);
            foreach (var (name, shape) in expected)
            {
                if (!metadata.Weights.TryGetValue(name, out var stored))
                {
                    throw new InvalidDataException($"{shownAs}: the artifact lacks weight '{name}' that a {metadata.ModelName} with these options has.");
                }

                if (!stored.SequenceEqual(shape))
                {
                    throw new InvalidDataException($"{shownAs}: weight '{name}' has shape [{string.Join(", ", stored)}] in the artifact but [{string.Join(", ", shape)}] in the model rebuilt from its options and pipeline.");
                }
            }

            var extra = metadata.Weights.Keys.Except(expected.Keys).FirstOrDefault();
            if (extra is not null)
            {
                throw new InvalidDataException($"{shownAs}: the artifact has weight '{extra}' that the rebuilt {metadata.ModelName} does not.");
            }

            model.TorchModule.load(Need(WeightsFile));
            if (device is not null && device.type != DeviceType.CPU)
            {
                model.TorchModule.to(device);
            }

            model.TorchModule.eval();
            return new ModelArtifact(model, pipeline, metadata, ownsModel: true);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static Dictionary<string, long[]> ShapesOf(IMultiTaskModel model) =>
        model.TorchModule.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

    private static bool IsSingleFile(string path) =>
        path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".stem", StringComparison.OrdinalIgnoreCase);
}
