using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Models;

/// <summary>Size options are bounded and a model's memory is estimated before anything is allocated.</summary>
public class ModelSizeTests
{
    [Fact]
    public void A_vocabulary_times_embedding_dim_beyond_memory_is_refused_before_allocation()
    {
        // (2^31 + 10) rows × 3 views (2 tasks + shared) × 4096 × 4 bytes ≈ 96 TiB: LibTorch would be asked for it and fail natively.
        var layout = FeatureLayout.Categorical([1L << 31, 10]);

        var act = () => ModelCatalog.Create(StemNet.Name, layout, TinyData.Tasks2, new StemNetOptions { EmbeddingDim = 4096 });

        var error = act.Should().Throw<ArgumentException>().Which;
        error.ParamName.Should().Be("EmbeddingDim");
        error.Message.Should().StartWith("stem-net would have at least 26,388,279,189,504 parameters (26,388,279,189,504 in embedding tables, 0 in dense layers): 105,553,116,758,016 bytes of float32 weights, more than the ")
            .And.Contain("bytes of memory available; the size comes from embeddingDim 4096 over 2,147,483,658 vocabulary rows");
    }

    [Fact]
    public void Dense_layers_beyond_memory_are_refused_naming_the_layer_options()
    {
        ModelSize.AvailableBytesOverride = 10_000;
        try
        {
            var act = () => ModelCatalog.Create(Mmoe.Name, TinyData.Layout, TinyData.Tasks2, new MmoeOptions { EmbeddingDim = 2, ExpertUnits = [256], Experts = 4 });

            act.Should().Throw<ArgumentException>().WithMessage("mmoe would have * parameters (* in embedding tables, * in dense layers): * bytes of float32 weights, more than the 10,000 bytes of memory available; the size comes from the layer widths and expert counts of the options.");
        }
        finally
        {
            ModelSize.AvailableBytesOverride = null;
        }
    }

    [Theory]
    [InlineData("""{"model": "stem-net", "expertUnits": [1000000]}""", "$.model.expertUnits", "StemNetOptions.ExpertUnits must list layer widths of at most 65536.")]
    [InlineData("""{"model": "stem-net", "embeddingDim": 100000}""", "$.model.embeddingDim", "StemNetOptions.EmbeddingDim must be in [1, 4096].")]
    [InlineData("""{"model": "mmoe", "experts": 5000}""", "$.model.experts", "MmoeOptions.Experts must be in [1, 1024].")]
    [InlineData("""{"model": "ple", "levels": 1000}""", "$.model.levels", "PleOptions.Levels must be in [1, 64].")]
    public void Size_options_are_bounded_in_the_experiment_file(string model, string path, string problem)
    {
        var act = () => ExperimentConfigLoader.Parse($$"""{"data": {"preset": "synthetic"}, "model": {{model}}}""", "exp.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage($"exp.json: {path}: {problem}");
    }

    [Fact]
    public void The_size_probe_leaves_the_initial_weights_unchanged()
    {
        manual_seed(9);
        using var direct = new Mmoe(TinyData.Layout, TinyData.Tasks2, (MmoeOptions)TinyData.Small(Mmoe.Name));
        manual_seed(9);
        using var catalog = ModelCatalog.Create(Mmoe.Name, TinyData.Layout, TinyData.Tasks2, TinyData.Small(Mmoe.Name));

        var expected = direct.TorchModule.state_dict();
        foreach (var (name, tensor) in catalog.TorchModule.state_dict())
        {
            tensor.allclose(expected[name], 0, 0).Should().BeTrue(name);
        }
    }
}
