using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Serving;

public class CustomModelArtifactTests
{
    static CustomModelArtifactTests()
    {
        ModelCatalog.Register<TowersOnlyOptions>(TowersOnly.Name, (layout, tasks, options) => new TowersOnly(layout, tasks, options));
    }

    [Fact]
    public async Task A_registered_custom_model_saves_and_loads_like_a_built_in_one()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        manual_seed(4);
        var model = ModelCatalog.Create(TowersOnly.Name, data.Pipeline.Layout, data.Pipeline.TaskNames, new TowersOnlyOptions { EmbeddingDim = 3, TowerUnits = [5] });
        var path = Path.Combine(TestPaths.TempDirectory(), "custom.stem");
        using var artifact = ModelArtifact.Create(model, data.Pipeline);   // owns and disposes the model
        await artifact.SaveAsync(path);

        using var loaded = await ModelArtifact.LoadAsync(path);

        loaded.Model.Should().BeOfType<TowersOnly>();
        ((TowersOnlyOptions)loaded.Model.Options).TowerUnits.Should().Equal(5);
        using var scope = NewDisposeScope();
        var batch = data.Test.GetBatch(arange(10));
        model.TorchModule.eval();
        loaded.Model.Forward(batch.Features).Logits.allclose(model.Forward(batch.Features).Logits, 0, 0).Should().BeTrue();
        ModelCatalog.Names.Should().Contain(TowersOnly.Name);
        ExperimentConfigLoader.Parse("""{"data":{"preset":"synthetic"},"model":{"model":"towers-only","embeddingDim":2}}""").Model.Should().BeOfType<TowersOnlyOptions>();
    }

    [Fact]
    public void Registering_a_taken_name_is_an_error()
    {
        var act = () => ModelCatalog.Register<TowersOnlyOptions>("mmoe", (l, t, o) => new TowersOnly(l, t, o));

        act.Should().Throw<ArgumentException>().WithMessage("A model named 'mmoe' or taking TowersOnlyOptions is already in the catalog.*");
    }

    public sealed record TowersOnlyOptions : ModelOptions;

    public sealed class TowersOnly : MultiTaskModel
    {
        public const string Name = "towers-only";

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
}
