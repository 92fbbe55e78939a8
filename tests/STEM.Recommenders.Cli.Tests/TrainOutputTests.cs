namespace STEM.Recommenders.Cli.Tests;

/// <summary>stem train refuses to replace an earlier run's outputs and checks where it writes before it starts.</summary>
[Collection(TrainedModelGroup.Name)]
public sealed class TrainOutputTests(TrainedModel trained) : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    private static string[] Train(string output, params string[] more) =>
        ["train", "--preset", "synthetic", "--rows", "300", "--model", "mmoe", "--epochs", "1", "--batch-size", "64", "--output", output, .. more];

    [Fact]
    public async Task An_earlier_runs_artifact_and_reports_are_not_replaced_without_overwrite()
    {
        var metrics = Path.Combine(trained.Output, "metrics.json");
        var before = File.ReadAllText(metrics);

        var result = await Stem.RunAsync(Train(trained.Output));

        result.ExitCode.Should().Be(2, result.ToString());
        result.ErrorLine.Should().Be(
            $"stem: error: --output: '{trained.Output}' already holds the outputs of an earlier run ({Path.Combine(trained.Output, "model")}, {metrics}, {Path.Combine(trained.Output, "report.md")}); give --overwrite to replace them, or another --output");
        File.ReadAllText(metrics).Should().Be(before);
    }

    [Fact]
    public async Task Overwrite_replaces_an_earlier_report()
    {
        var output = Path.Combine(_dir, "run");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "report.md"), "an earlier run");

        var refused = await Stem.RunAsync(Train(output));
        var replaced = await Stem.SucceedAsync(Train(output, "--overwrite"));

        refused.ExitCode.Should().Be(2);
        refused.ErrorLine.Should().Contain("give --overwrite");
        File.ReadAllText(Path.Combine(output, "report.md")).Should().Contain("| mmoe |");
        replaced.Stdout.Should().Contain("Artifact:");
    }

    [Fact]
    public async Task An_output_directory_that_cannot_be_created_fails_before_any_work()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var output = Path.Combine(file, "run");

        var result = await Stem.RunAsync(Train(output));

        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be($"stem: error: --output: '{output}' cannot be created: '{file}' is a file");
        result.Stderr.Should().NotContain("Training", "nothing started");
    }

    [Fact]
    public async Task A_json_path_that_cannot_be_written_fails_before_any_work_and_leaves_nothing()
    {
        var file = Path.Combine(_dir, "a-file");
        File.WriteAllText(file, "x");
        var json = Path.Combine(file, "result.json");
        var output = Path.Combine(_dir, "new", "run");

        var result = await Stem.RunAsync(Train(output, "--json", json));

        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be($"stem: error: --json: '{json}' cannot be created: '{file}' is a file");
        Directory.Exists(Path.Combine(_dir, "new")).Should().BeFalse("the writability probe removes the directories it created");
    }
}
