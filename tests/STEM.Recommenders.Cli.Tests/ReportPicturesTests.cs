using System.Xml.Linq;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>stem train and stem compare write report.html and the pictures beside the Markdown and JSON.</summary>
[Collection(TrainedModelGroup.Name)]
public sealed class ReportPicturesTests(TrainedModel trained) : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public async Task Train_on_the_bundled_sample_writes_the_pictures_and_report_html()
    {
        var output = Path.Combine(_dir, "train");
        var config = Path.Combine(TestPaths.RepositoryRoot, "samples", "experiments", "kuairand-stem-net.json");

        var result = await Stem.SucceedAsync("train", "--config", config, "--epochs", "2", "--batch-size", "4096", "--output", output, "--threads", "1");

        string[] pictures = ["validation-auc", "loss", "test-auc", "gate-mass", "calibration-is-click", "calibration-long-view", "calibration-is-like"];
        foreach (var name in pictures)
        {
            new FileInfo(Path.Combine(output, name + ".png")).Length.Should().BeGreaterThan(10_000, name);
            XDocument.Load(Path.Combine(output, name + ".svg")).Root!.Name.LocalName.Should().Be("svg");
        }

        // The curves have one series per task, each with a point per epoch.
        var curves = string.Concat(XDocument.Load(Path.Combine(output, "validation-auc.svg")).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        curves.Should().Contain("is_click").And.Contain("long_view").And.Contain("is_like").And.Contain("Validation AUC by epoch: stem-net");
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        html.Should().Contain("<h1>Training report: stem-net (seed 2023)</h1>").And.Contain("<td>stem-net</td>");
        foreach (var name in pictures)
        {
            html.Should().Contain($"<img alt=\"{name}\"");
        }

        result.Stdout.Should().Contain($"Pictures: {Path.Combine(output, "report.html")} (7 pictures as PNG and SVG beside it)");
    }

    [Fact]
    public async Task Compare_writes_one_curve_per_task_and_a_bar_per_model_into_its_report()
    {
        var output = Path.Combine(_dir, "compare");

        var result = await Stem.SucceedAsync("compare", "--config", trained.ConfigPath, "--models", "mmoe,shared-bottom", "--seeds", "2", "--output", output, "--threads", "1");

        string[] pictures = ["validation-auc-task0", "validation-auc-task1", "loss-task0", "loss-task1", "test-auc", "gate-mass", "calibration-task0", "calibration-task1"];
        Directory.GetFiles(output, "*.png").Select(Path.GetFileNameWithoutExtension).Should().BeEquivalentTo(pictures);
        var bars = string.Concat(XDocument.Load(Path.Combine(output, "test-auc.svg")).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        bars.Should().Contain("mmoe").And.Contain("shared-bottom").And.Contain("mean ± std over 2 seeds");
        File.ReadAllText(Path.Combine(output, "report.html")).Should().Contain("<title>Comparison: mmoe, shared-bottom × 2 seeds</title>").And.Contain("<td>shared-bottom</td>");
        result.Stdout.Should().Contain("Pictures: ");
    }
}
