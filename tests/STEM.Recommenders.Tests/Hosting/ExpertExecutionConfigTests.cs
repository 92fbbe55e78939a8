using STEM.Recommenders.Hosting;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Tests.Hosting;

/// <summary><c>training.expertExecution</c> in an experiment file.</summary>
public class ExpertExecutionConfigTests
{
    private static string Experiment(string execution) => $$"""
        {
          "data": { "preset": "synthetic", "rows": 600 },
          "model": { "model": "stem-net", "sharedExperts": 1, "expertUnits": [8], "gateUnits": [4], "towerUnits": [4], "embeddingDim": 4 },
          "training": { "epochs": 1, "batchSize": 64, "expertExecution": "{{execution}}" }
        }
        """;

    [Theory]
    [InlineData("calibrate", ExpertExecutionPolicy.Calibrate)]
    [InlineData("Separate", ExpertExecutionPolicy.Separate)]
    [InlineData("batched", ExpertExecutionPolicy.Batched)]
    [InlineData("asBuilt", ExpertExecutionPolicy.AsBuilt)]
    public void The_policy_is_read_by_name(string text, ExpertExecutionPolicy expected)
    {
        ExperimentConfigLoader.Parse(Experiment(text), "experiment.json").Training.ExpertExecution.Should().Be(expected);
    }

    [Fact]
    public async Task An_experiment_trained_with_calibration_reports_the_choice_it_made()
    {
        var config = ExperimentConfigLoader.Parse(Experiment("calibrate"), "experiment.json");

        var run = await new ExperimentRunner().TrainAsync(config);
        using var artifact = run.Artifact;

        run.Report.ExpertExecution.Should().MatchRegex(@"^(batched|separate) \(calibrated per forward and backward pass: \S+ batched [0-9.]+ ms, separate [0-9.]+ ms\)$");
        var chosen = artifact.Model.TorchModule.modules().OfType<STEM.Recommenders.Modules.ExpertPool>().Single().Execution.ToString().ToLowerInvariant();
        run.Report.ExpertExecution.Should().StartWith(chosen + " (");
    }

    [Fact]
    public void An_unknown_policy_names_its_json_path()
    {
        var act = () => ExperimentConfigLoader.Parse(Experiment("fastest"), "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.training.expertExecution*");
    }
}
