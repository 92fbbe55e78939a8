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
        ModelCatalog.Register<MlpOnlyOptions>(MlpOnly.Name, (layout, tasks, options) => new MlpOnly(layout, tasks, options));
        OnnxExporter.Register(new MlpOnlyWriter());
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

    [Fact]
    public void A_registered_model_with_a_single_mlp_and_batch_norm_exports_and_scores_alike()
    {
        manual_seed(5);
        var model = ModelCatalog.Create(MlpOnly.Name, sample.Pipeline.Layout, sample.Pipeline.TaskNames, new MlpOnlyOptions { EmbeddingDim = 3, BatchNorm = true, Activation = Activation.Gelu });
        using (no_grad())
        {
            foreach (var (_, p) in model.TorchModule.named_parameters())
            {
                p.normal_(0, 0.5);
            }

            foreach (var (name, b) in model.TorchModule.named_buffers())
            {
                if (name.EndsWith("running_mean", StringComparison.Ordinal))
                {
                    b.normal_(0, 0.3);
                }
                else if (name.EndsWith("running_var", StringComparison.Ordinal))
                {
                    b.uniform_(0.5, 2.0);
                }
            }
        }

        model.TorchModule.eval();
        using var artifact = ModelArtifact.Create(model, sample.Pipeline);
        var export = OnnxExporter.Export(artifact, _directory);
        using var predictor = new Predictor(artifact);
        using var onnx = new OnnxPredictor(export.ModelPath);

        ParityTests.AssertClose(predictor.PredictTable(sample.Rows), onnx.PredictTable(sample.Rows), MlpOnly.Name);
    }

    public void Dispose() => TestPaths.Delete(_directory);

    public sealed record MlpOnlyOptions : ModelOptions;

    /// <summary>Embedding → one <see cref="Mlp"/> (blocks with batch norm, then an output layer of T logits).</summary>
    public sealed class MlpOnly : MultiTaskModel
    {
        public const string Name = "onnx-mlp-only";

        private readonly EmbeddingBank embedding;
        private readonly Mlp mlp;

        public MlpOnly(FeatureLayout layout, IReadOnlyList<string> tasks, MlpOnlyOptions options)
            : base(Name, layout, tasks, options)
        {
            embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, 0, options.EmbeddingInitStd);
            mlp = new Mlp("mlp", embedding.ViewWidth, Mlp([6, 5]), TaskCount);
            RegisterComponents();
        }

        public override MultiTaskOutput forward(FeatureBatch batch) => new(mlp.forward(embedding.forward(batch)[0]));
    }

    private sealed class MlpOnlyWriter : IOnnxModelWriter
    {
        public Type ModelType => typeof(MlpOnly);

        public string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
        {
            var views = graph.Module(OnnxGraph.Child(model.TorchModule, "embedding"), "embedding", weights is null ? [ids] : [ids, weights])[0];
            var shared = graph.Op("Gather", [views, graph.Scalar(0L)], new Dictionary<string, object> { ["axis"] = 0L });
            return graph.Op("Sigmoid", graph.Module(OnnxGraph.Child(model.TorchModule, "mlp"), "mlp", shared)[0]);
        }
    }

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
