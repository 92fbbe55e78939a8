namespace STEM.Recommenders.Cli.Tests;

/// <summary>The kuairand preset on the bundled sample, from an experiment file and from the command line alone.</summary>
[Collection(TrainedModelGroup.Name)]
public sealed class KuaiRandPresetTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public async Task Preset_from_the_command_line_trains_and_evaluates_on_the_day_split()
    {
        var output = Path.Combine(_dir, "run");
        var config = Path.Combine(_dir, "tiny-model.json");

        // A tiny STEM-Net from an experiment file; the data entirely from the command line.
        await File.WriteAllTextAsync(config, """
            {
              "data": { "preset": "synthetic" },
              "model": { "model": "stem-net", "embeddingDim": 4, "sharedExperts": 1, "specificExpertsPerTask": 1, "expertUnits": [8], "gateUnits": [], "towerUnits": [8] },
              "training": { "batchSize": 2048 }
            }
            """);
        var result = await Stem.SucceedAsync(
            "train", "--config", config, "--preset", "kuairand",
            "--train", TestPaths.Sample("log.csv.gz"), "--users", TestPaths.Sample("user_features.csv.gz"), "--videos", TestPaths.Sample("video_features.csv.gz"),
            "--valid-days", "20220430", "--test-days", "20220501", "--tasks", "is_click,long_view",
            "--epochs", "1", "--output", output, "--json", "--threads", "1");

        var run = result.Json().GetProperty("run");
        run.GetProperty("model").GetString().Should().Be("stem-net");
        run.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()).Should().Equal("is_click", "long_view");

        // Rows per day in the sample: 04-30 has 3,662, 05-01 has 3,630.
        var validation = run.GetProperty("validation").GetProperty("tasks")[0];
        var test = run.GetProperty("test").GetProperty("tasks")[0];
        validation.GetProperty("count").GetInt64().Should().Be(3662);
        test.GetProperty("count").GetInt64().Should().Be(3630);
        test.GetProperty("auc").GetDouble().Should().BeGreaterThan(0).And.BeLessThan(1);
        test.GetProperty("gAuc").GetDouble().Should().BeGreaterThan(0).And.BeLessThan(1);

        // The artifact scores the raw log joined with the side tables, as evaluate does.
        var evaluation = await Stem.SucceedAsync(
            "evaluate", "--model", Path.Combine(output, "model"), "--data", TestPaths.Sample("log.csv.gz"),
            "--join", $"{TestPaths.Sample("user_features.csv.gz")}:user_id", "--join", $"{TestPaths.Sample("video_features.csv.gz")}:video_id", "--json");
        evaluation.Json().GetProperty("files")[0].GetProperty("metrics").GetProperty("tasks")[0].GetProperty("count").GetInt64().Should().Be(20007);
    }
}
