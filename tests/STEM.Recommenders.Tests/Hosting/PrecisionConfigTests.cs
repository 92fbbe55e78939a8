using STEM.Recommenders.Hosting;
using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Tests.Hosting;

/// <summary><c>model.precision</c> in an experiment file, and the precision a run report gives.</summary>
public class PrecisionConfigTests
{
    private static string Experiment(string precision) => $$"""
        {
          "data": { "preset": "synthetic", "rows": 600 },
          "model": { "model": "stem-net", "sharedExperts": 1, "expertUnits": [8], "gateUnits": [4], "towerUnits": [4], "embeddingDim": 4, "precision": "{{precision}}" },
          "training": { "epochs": 1, "batchSize": 64 }
        }
        """;

    [Theory]
    [InlineData("auto", Precision.Auto)]
    [InlineData("Auto", Precision.Auto)]
    [InlineData("bfloat16", Precision.BFloat16)]
    [InlineData("Float32", Precision.Float32)]
    public void The_precision_is_read_by_name(string text, Precision expected)
    {
        ExperimentConfigLoader.Parse(Experiment(text), "experiment.json").Model.Precision.Should().Be(expected);
    }

    [Fact]
    public async Task A_run_with_auto_precision_reports_the_choice_and_the_timings()
    {
        var run = await new ExperimentRunner().TrainAsync(ExperimentConfigLoader.Parse(Experiment("auto"), "experiment.json"));
        using var artifact = run.Artifact;

        run.Report.Precision.Should().MatchRegex(@"^(float32|bfloat16) \(Auto, calibrated per forward and backward pass: experts float32 [0-9.]+ ms, bfloat16 [0-9.]+ ms\)$");
        var chosen = artifact.Model.TorchModule.modules().OfType<StackedMlp>().Select(m => m.ComputePrecision).Distinct().Should().ContainSingle().Subject;
        run.Report.Precision.Should().StartWith(chosen.ToString().ToLowerInvariant() + " (");
    }

    [Fact]
    public async Task A_run_with_a_fixed_precision_reports_it_without_timings()
    {
        var run = await new ExperimentRunner().TrainAsync(ExperimentConfigLoader.Parse(Experiment("bfloat16"), "experiment.json"));
        using var artifact = run.Artifact;

        run.Report.Precision.Should().Be("bfloat16");
    }
}
