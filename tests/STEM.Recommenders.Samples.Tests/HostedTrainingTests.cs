using System.Text.Json;
using HostedTraining;
using Microsoft.Extensions.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Samples.Tests;

/// <summary>The HostedTraining sample, run in process with its appsettings.json and tiny overrides.</summary>
public class HostedTrainingTests
{
    [Fact]
    public async Task The_host_trains_writes_the_artifact_and_metrics_and_stops_itself()
    {
        // appsettings.json names the bundled data relative to the app base directory; the sample's
        // build copies it there, and so does this project's build (through the project reference).
        File.Exists(Path.Combine(AppContext.BaseDirectory, "data", "kuairand-sample", "log.csv.gz")).Should().BeTrue();
        var output = Path.Combine(TestPaths.TempDirectory(), "run");
        using var host = HostedTrainingApp.Build(
        [
            "--Stem:Training:Epochs=1",
            "--Stem:Training:BatchSize=4096",
            "--Stem:Models:stem-net:EmbeddingDim=4",
            "--Stem:Models:stem-net:ExpertUnits:0=8",
            "--Stem:Models:stem-net:ExpertUnits:1=6",
            "--Stem:Models:stem-net:GateUnits:0=4",
            "--Stem:Models:stem-net:TowerUnits:0=4",
            $"--Stem:OutputDirectory={output}",
            "--Logging:LogLevel:Default=Warning",
        ],
            TestPaths.SampleProject("HostedTraining"));
        var training = HostedTrainingApp.Service(host);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        await host.RunAsync(timeout.Token);

        timeout.IsCancellationRequested.Should().BeFalse("the service stops the host when training ends");
        training.Report.Should().NotBeNull();
        training.Report!.Test.Tasks.Select(t => t.Task).Should().Equal("is_click", "long_view", "is_like");
        training.Report.Steps.Should().Be(4, "12,715 training rows in batches of 4096, one epoch");
        File.Exists(Path.Combine(output, "model", ModelArtifact.MetadataFile)).Should().BeTrue();
        using (var metrics = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "metrics.json"))))
        {
            metrics.RootElement.ValueKind.Should().Be(JsonValueKind.Object);
        }

        // The artifact was built with appsettings.json's model as overridden (lists replaced, not merged).
        using var artifact = await ModelArtifact.LoadAsync(Path.Combine(output, "model"));
        var options = artifact.Model.Options.Should().BeOfType<StemNetOptions>().Subject;
        options.ExpertUnits.Should().Equal(8, 6);
        options.EmbeddingDim.Should().Be(4);
        options.SharedExperts.Should().Be(2, "appsettings.json sets it");
    }
}
