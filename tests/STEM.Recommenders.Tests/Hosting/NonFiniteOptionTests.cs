using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Tests.Hosting;

/// <summary>JSON reads 1e999 as +Infinity and configuration strings may say NaN: no option accepts either.</summary>
public class NonFiniteOptionTests
{
    [Theory]
    [InlineData("""{"data": {"preset": "synthetic"}, "training": {"optimizer": {"learningRate": 1e999}}}""", "$.training.optimizer.learningRate")]
    [InlineData("""{"data": {"preset": "synthetic"}, "training": {"optimizer": {"embeddingL2": 1e999}}}""", "$.training.optimizer.embeddingL2")]
    [InlineData("""{"data": {"preset": "synthetic"}, "training": {"optimizer": {"gradientClipNorm": 1e999}}}""", "$.training.optimizer.gradientClipNorm")]
    [InlineData("""{"data": {"preset": "synthetic"}, "training": {"minLearningRate": 1e999}}""", "$.training.minLearningRate")]
    [InlineData("""{"data": {"preset": "synthetic"}, "model": {"model": "stem-net", "embeddingInitStd": 1e999}}""", "$.model.embeddingInitStd")]
    [InlineData("""{"data": {"preset": "synthetic"}, "model": {"model": "aitm", "calibratorWeight": -1e999}}""", "$.model.calibratorWeight")]
    [InlineData("""{"data": {"preset": "synthetic"}, "weighting": {"name": "gradnorm", "alpha": 1e999}}""", "$.weighting.alpha")]
    [InlineData("""{"data": {"preset": "synthetic"}, "weighting": {"name": "fixed", "weights": [1, 1e999]}}""", "$.weighting.weights[1]")]
    public void An_infinite_number_in_an_experiment_file_is_an_error_at_its_json_path(string json, string path)
    {
        var act = () => ExperimentConfigLoader.Parse(json, "experiment.json");

        var error = act.Should().Throw<ExperimentConfigException>().Which;
        error.Path.Should().Be(path);
        error.Message.Should().StartWith($"experiment.json: {path}: ").And.Contain("is not a finite number");
    }

    [Fact]
    public void Finite_numbers_still_read_as_before()
    {
        var config = ExperimentConfigLoader.Parse("""{"data": {"preset": "synthetic"}, "training": {"optimizer": {"learningRate": 2e-3, "gradientClipNorm": null}}}""");

        config.Training.Optimizer.LearningRate.Should().Be(2e-3);
        config.Training.Optimizer.GradientClipNorm.Should().BeNull();
    }

    [Fact]
    public void NaN_in_a_configuration_section_is_an_error_naming_the_setting()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stem:Training:Optimizer:LearningRate"] = "NaN",
        }).Build();
        var services = new ServiceCollection().AddStemRecommenders(configuration.GetSection("Stem")).BuildServiceProvider();

        var act = () => services.GetRequiredService<Microsoft.Extensions.Options.IOptions<StemOptions>>().Value;

        act.Should().Throw<ExperimentConfigException>().WithMessage("configuration: Stem:Training:*earningRate: NaN is not a finite number*");
    }

    [Theory]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NaN)]
    public void Options_built_in_code_reject_non_finite_values(double value)
    {
        var act = () => ExperimentConfigLoader.Validate(new ExperimentConfig
        {
            Data = new STEM.Recommenders.Datasets.DataConfig { Preset = "synthetic" },
            Training = new TrainerOptions { Optimizer = new OptimizerOptions { EmbeddingL2 = value } },
        });
        var model = () => new StemNetOptions { EmbeddingInitStd = value }.Validate();
        var beta = () => new OptimizerOptions { Beta1 = value }.Validate();

        act.Should().Throw<ExperimentConfigException>().Which.Path.Should().Be("$.training.optimizer.epsilon");
        model.Should().Throw<ArgumentException>().WithMessage("StemNetOptions.EmbeddingInitStd must be positive and finite*");
        beta.Should().Throw<ArgumentException>().WithMessage("OptimizerOptions.Beta1 and Beta2 must be in [0, 1)*");
    }
}
