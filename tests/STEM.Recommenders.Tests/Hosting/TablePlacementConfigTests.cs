using STEM.Recommenders.Hosting;
using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Tests.Hosting;

/// <summary><c>runtime.tablePlacement</c> in an experiment file: the one option that puts the tables on the host.</summary>
public class TablePlacementConfigTests
{
    private static string Experiment(string placement) => $$"""
        {
          "data": { "preset": "synthetic", "rows": 600 },
          "model": { "model": "stem-net", "sharedExperts": 1, "expertUnits": [8], "gateUnits": [4], "towerUnits": [4], "embeddingDim": 4 },
          "training": { "epochs": 1, "batchSize": 64 },
          "runtime": { "device": "cpu", "tablePlacement": "{{placement}}" }
        }
        """;

    [Fact]
    public async Task An_experiment_with_host_tables_reports_what_the_default_placement_reports()
    {
        var host = ExperimentConfigLoader.Parse(Experiment("host"), "experiment.json");
        var device = ExperimentConfigLoader.Parse(Experiment("Device"), "experiment.json");
        host.Runtime.TablePlacement.Should().Be(TablePlacement.Host);

        var onHost = await new ExperimentRunner().TrainAsync(host);
        using var hostArtifact = onHost.Artifact;
        var onDevice = await new ExperimentRunner().TrainAsync(device);
        using var deviceArtifact = onDevice.Artifact;

        hostArtifact!.Model.EmbeddingBanks.Should().OnlyContain(b => b.TablePlacement == TablePlacement.Host && b.HostLookups > 0);
        onHost.Report.Test.Tasks.Select(t => t.Auc).Should().Equal(onDevice.Report.Test.Tasks.Select(t => t.Auc));
        onHost.Report.Test.Tasks.Select(t => t.LogLoss).Should().Equal(onDevice.Report.Test.Tasks.Select(t => t.LogLoss));
    }

    [Fact]
    public void An_unknown_placement_names_its_json_path()
    {
        var act = () => ExperimentConfigLoader.Parse(Experiment("gpu"), "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.runtime.tablePlacement*");
    }
}
