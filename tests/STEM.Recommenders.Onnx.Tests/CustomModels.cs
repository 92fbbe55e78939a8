using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;
using STEM.Recommenders.Onnx.Serving;
using STEM.Recommenders.Serving;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Tests;

/// <summary>A model registered with ModelCatalog.Register exports once its wiring is registered with OnnxExporter.Register.</summary>
[Collection(SampleDataGroup.Name)]
public sealed class CustomModels(SampleData sample) : IDisposable
{
    private readonly string _directory = TestPaths.TempDirectory();

    static CustomModels()
    {
        ModelCatalog.Register<TowersOnlyOptions>(TowersOnly.Name, (layout, tasks, options) => new TowersOnly(layout, tasks, options));
        OnnxExporter.Register(new TowersOnlyWriter());
    }

    [Fact]
    public void A_registered_model_built_from_library_modules_exports_and_scores_alike()
    {
        manual_seed(3);
        var model = ModelCatalog.Create(TowersOnly.Name, sample.Pipeline.Layout, sample.Pipeline.TaskNames, new TowersOnlyOptions { EmbeddingDim = 3, TowerUnits = [5] });
        using (no_grad())
        {
            foreach (var (_, p) in model.TorchModule.named_parameters())
            {
                p.normal_(0, 0.5);
            }
        }

        using var artifact = ModelArtifact.Create(model, sample.Pipeline);
        var export = OnnxExporter.Export(artifact, _directory);
        using var predictor = new Predictor(artifact);
        using var onnx = new OnnxPredictor(export.ModelPath);

        ParityTests.AssertClose(predictor.PredictTable(sample.Rows), onnx.PredictTable(sample.Rows), TowersOnly.Name);
    }

    public void Dispose() => TestPaths.Delete(_directory);

    public sealed record TowersOnlyOptions : ModelOptions;

    public sealed class TowersOnly : MultiTaskModel
    {
        public const string Name = "onnx-towers-only";

        private readonly EmbeddingBank embedding;
        private readonly TaskTower towers;

        public TowersOnly(FeatureLayout layout, IReadOnlyList<string> tasks, TowersOnlyOptions options)
            : base(Name, layout, tasks, options)
        {
            embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, 0, options.EmbeddingInitStd);
            towers = new TaskTower("towers", TaskCount, embedding.ViewWidth, Mlp(options.TowerUnits));
            RegisterComponents();
        }

        public override MultiTaskOutput forward(FeatureBatch batch) => new(towers.forward(embedding.forward(batch)[0]));
    }

    /// <summary>The custom model's wiring: embedding → shared view → towers → sigmoid.</summary>
    private sealed class TowersOnlyWriter : IOnnxModelWriter
    {
        public Type ModelType => typeof(TowersOnly);

        public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
        {
            var views = graph.Module(OnnxGraph.Child(model.TorchModule, "embedding"), "embedding", weights is null ? [ids] : [ids, weights])[0];
            var shared = graph.Op("Gather", [views, graph.Scalar(0L)], new Dictionary<string, object> { ["axis"] = 0L });
            return graph.Op("Sigmoid", graph.Module(OnnxGraph.Child(model.TorchModule, "towers"), "towers", shared)[0]);
        }
    }
}
