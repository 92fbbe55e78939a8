using STEM.Recommenders.Data;
using STEM.Recommenders.Onnx.Serving;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Cli.Commands;

/// <summary>What <c>stem predict</c> scores with: the TorchSharp Predictor over an artifact, or ONNX Runtime over an export.</summary>
internal interface IScorer : IDisposable
{
    string ModelName { get; }

    IReadOnlyList<string> TaskNames { get; }

    float[] PredictTable(DataTable table);
}

/// <summary>The backends <c>--backend</c> names.</summary>
internal static class PredictBackend
{
    public const string Torch = "torch";
    public const string Onnx = "onnx";

    public static readonly string[] All = [Torch, Onnx];

    public static IScorer Wrap(Predictor predictor) => new TorchScorer(predictor);

    /// <summary>ONNX Runtime over model.onnx (or the export directory holding it); --threads sets its intra-op threads.</summary>
    public static IScorer OpenOnnx(string path, int? batchSize, int? threads) =>
        new OnnxScorer(new OnnxPredictor(path, new OnnxPredictorOptions { BatchSize = batchSize, IntraOpThreads = threads ?? 0 }));

    private sealed class TorchScorer(Predictor predictor) : IScorer
    {
        public string ModelName => predictor.Artifact.Metadata.ModelName;

        public IReadOnlyList<string> TaskNames => predictor.TaskNames;

        public float[] PredictTable(DataTable table) => predictor.PredictTable(table);

        public void Dispose() => predictor.Dispose();
    }

    private sealed class OnnxScorer(OnnxPredictor predictor) : IScorer
    {
        public string ModelName => predictor.ModelName;

        public IReadOnlyList<string> TaskNames => predictor.TaskNames;

        public float[] PredictTable(DataTable table) => predictor.PredictTable(table);

        public void Dispose() => predictor.Dispose();
    }
}
