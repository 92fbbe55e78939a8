using STEM.Recommenders.Onnx.Serving;
using STEM.Recommenders.Serving;

namespace Serving;

/// <summary>
/// What scores the requests, chosen by configuration: <c>Serving:Backend</c> = <c>torch</c> (the
/// TorchSharp <see cref="Predictor"/> over <c>Stem:ArtifactPath</c>, the default) or <c>onnx</c>
/// (ONNX Runtime over <c>Serving:OnnxModelPath</c>, written by <c>stem export --format onnx</c>).
/// </summary>
public interface IScoringBackend
{
    /// <summary>"torch" or "onnx".</summary>
    string Name { get; }

    /// <summary>The model's catalog name.</summary>
    string Model { get; }

    /// <summary>Task names, in output order.</summary>
    IReadOnlyList<string> TaskNames { get; }

    /// <summary>The library version that wrote the model.</summary>
    string LibraryVersion { get; }

    /// <summary>When the artifact was written (the ONNX file does not record it).</summary>
    DateTimeOffset? CreatedUtc { get; }

    /// <summary>Scores rows of column → raw value.</summary>
    IReadOnlyList<IReadOnlyDictionary<string, double>> PredictBatch(IReadOnlyList<IReadOnlyDictionary<string, string?>> rows);
}

/// <summary>Registers the configured backend.</summary>
public static class ScoringBackends
{
    public const string Torch = "torch";
    public const string Onnx = "onnx";

    public static void Add(IServiceCollection services, IConfiguration configuration)
    {
        var name = configuration["Serving:Backend"] ?? Torch;
        if (string.Equals(name, Onnx, StringComparison.OrdinalIgnoreCase))
        {
            var path = configuration["Serving:OnnxModelPath"]
                ?? throw new InvalidOperationException("Serving:Backend is onnx but Serving:OnnxModelPath is not set (the directory stem export --format onnx wrote, or its model.onnx)");
            var threads = configuration.GetValue("Serving:IntraOpThreads", 0);
            services.AddSingleton<IScoringBackend>(_ => new OnnxBackend(new OnnxPredictor(path, new OnnxPredictorOptions { IntraOpThreads = threads })));
        }
        else if (string.Equals(name, Torch, StringComparison.OrdinalIgnoreCase))
        {
            services.AddSingleton<IScoringBackend>(provider => new TorchBackend(provider.GetRequiredService<Predictor>()));
        }
        else
        {
            throw new InvalidOperationException($"Serving:Backend is '{name}'; use '{Torch}' or '{Onnx}'");
        }
    }

    private sealed class TorchBackend(Predictor predictor) : IScoringBackend
    {
        public string Name => Torch;

        public string Model => predictor.Artifact.Metadata.ModelName;

        public IReadOnlyList<string> TaskNames => predictor.TaskNames;

        public string LibraryVersion => predictor.Artifact.Metadata.LibraryVersion;

        public DateTimeOffset? CreatedUtc => predictor.Artifact.Metadata.CreatedUtc;

        public IReadOnlyList<IReadOnlyDictionary<string, double>> PredictBatch(IReadOnlyList<IReadOnlyDictionary<string, string?>> rows) => predictor.PredictBatch(rows);
    }

    private sealed class OnnxBackend(OnnxPredictor predictor) : IScoringBackend, IDisposable
    {
        public string Name => Onnx;

        public string Model => predictor.ModelName;

        public IReadOnlyList<string> TaskNames => predictor.TaskNames;

        public string LibraryVersion => predictor.LibraryVersion;

        public DateTimeOffset? CreatedUtc => null;

        public IReadOnlyList<IReadOnlyDictionary<string, double>> PredictBatch(IReadOnlyList<IReadOnlyDictionary<string, string?>> rows) => predictor.PredictBatch(rows);

        public void Dispose() => predictor.Dispose();
    }
}
