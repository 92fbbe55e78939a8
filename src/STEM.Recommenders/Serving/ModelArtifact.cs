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
            TaskMembers = (model as PerTaskSelectedModel)?.TaskMembers,
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
            await File.WriteAllTextAsync(Path.Combine(directory, OptionsFile), JsonSerializer.Serialize(Model.Options, Json), cancellationToken).ConfigureAwait(false);
            await Pipeline.SaveAsync(Path.Combine(directory, PipelineFile), cancellationToken).ConfigureAwait(false);
            Model.TorchModule.save(Path.Combine(directory, WeightsFile));

            // artifact.json last: it records the others' sizes, which bound what a loader reads.
            var files = new[] { OptionsFile, PipelineFile, WeightsFile }.ToDictionary(f => f, f => new FileInfo(Path.Combine(directory, f)).Length, StringComparer.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(directory, MetadataFile), JsonSerializer.Serialize(Metadata with { Files = files }, Json), cancellationToken).ConfigureAwait(false);
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
    /// <remarks>
    /// Every claim of the artifact is checked before it is acted on, and every error names the
    /// artifact as <paramref name="path"/> gives it and the file or tensor at fault: a zip is read
    /// entry by entry as streams (nothing is extracted), holds the artifact's four files once each
    /// and nothing else, and no file is read beyond the size artifact.json records for it; the model
    /// name must be registered and model.json must hold that model's valid options; weights.bin must
    /// hold exactly the rebuilt model's tensors, each with its dtype and shape, complete, and finite.
    /// </remarks>
    /// <exception cref="FileNotFoundException">There is no artifact at the path.</exception>
    /// <exception cref="InvalidDataException">The artifact is incomplete, malformed, of another format version, or its weights do not fit its model.</exception>
    public static Task<ModelArtifact> LoadAsync(string path, Device? device = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        return ArtifactLoader.LoadAsync(path, device, cancellationToken);
    }

    /// <summary>The artifact's files, each with what it may be: used by <see cref="ArtifactLoader"/>.</summary>
    internal static IReadOnlySet<string> FileNames { get; } = new HashSet<string>(StringComparer.Ordinal) { MetadataFile, OptionsFile, PipelineFile, WeightsFile };

    internal static JsonSerializerOptions JsonSettings => Json;

    internal static ModelArtifact Loaded(IMultiTaskModel model, FeaturePipeline pipeline, ArtifactMetadata metadata) =>
        new(model, pipeline, metadata, ownsModel: true);

    /// <summary>Disposes the model when the artifact owns it (<see cref="OwnsModel"/>).</summary>
    public void Dispose()
    {
        if (OwnsModel)
        {
            Model.Dispose();
        }
    }

    internal static Dictionary<string, long[]> ShapesOf(IMultiTaskModel model) =>
        model.TorchModule.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

    private static bool IsSingleFile(string path) =>
        path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".stem", StringComparison.OrdinalIgnoreCase);
}
