using System.Text.Json;

namespace STEM.Recommenders.Cli.Tests;

[Collection(TrainedModelGroup.Name)]
public sealed class CompareTests(TrainedModel trained) : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public async Task Compare_reports_mean_and_std_per_model_and_task_and_writes_markdown_and_json()
    {
        var output = Path.Combine(_dir, "compare");
        var jsonPath = Path.Combine(_dir, "compare.json");
        var result = await Stem.SucceedAsync("compare", "--config", trained.ConfigPath, "--models", "mmoe,shared-bottom", "--seeds", "2", "--output", output, "--json", jsonPath, "--threads", "1");

        result.Stdout.Should().Contain("Test metrics, mean ± std over 2 seeds");
        result.Stdout.Should().MatchRegex(@"\| mmoe +\| task0 \| 0\.\d{4} ± 0\.\d{4} \|");
        result.Stdout.Should().MatchRegex(@"\| shared-bottom +\| task1 \| 0\.\d{4} ± 0\.\d{4} \|");
        result.Stderr.Should().Contain("[4/4] shared-bottom seed 2024").And.Contain("shared-bottom uses its default options");

        File.ReadAllText(Path.Combine(output, "comparison.md")).Should().Contain("### Test AUC (mean ± std over 2 seeds)").And.Contain("| shared-bottom |");
        File.Exists(Path.Combine(output, "comparison.json")).Should().BeTrue();

        using var document = JsonDocument.Parse(File.ReadAllText(jsonPath));
        var json = document.RootElement;
        json.GetProperty("command").GetString().Should().Be("compare");
        json.GetProperty("seeds").GetInt32().Should().Be(2);
        var report = json.GetProperty("report");
        report.GetProperty("runs").GetArrayLength().Should().Be(4);
        report.GetProperty("runs").EnumerateArray().Select(r => r.GetProperty("seed").GetInt64()).Should().Equal(2023, 2024, 2023, 2024);
        var rows = report.GetProperty("rows").EnumerateArray().ToArray();
        rows.Select(r => $"{r.GetProperty("model").GetString()}/{r.GetProperty("task").GetString()}")
            .Should().Equal("mmoe/task0", "mmoe/task1", "shared-bottom/task0", "shared-bottom/task1");
        foreach (var row in rows)
        {
            var auc = row.GetProperty("auc");
            auc.GetProperty("mean").GetDouble().Should().BeGreaterThan(0).And.BeLessThan(1);
            auc.GetProperty("standardDeviation").GetDouble().Should().BeGreaterThanOrEqualTo(0);
            auc.GetProperty("values").GetArrayLength().Should().Be(2);
        }
    }
}
