using System.Text.Json;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>stem tune on the bundled KuaiRand sample (2-trial grid, a few steps each), its bad input, and compare --tuned / --variants.</summary>
[Collection(TrainedModelGroup.Name)]
public sealed class TuneTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    private string Config(string search, string variants = "", int rows = 0, string name = "tune.json")
    {
        var data = rows > 0
            ? $$"""{ "preset": "synthetic", "rows": {{rows}} }"""
            : $$"""
              {
                "preset": "kuairand",
                "train": {{JsonSerializer.Serialize(TestPaths.Sample("log.csv.gz"))}},
                "users": {{JsonSerializer.Serialize(TestPaths.Sample("user_features.csv.gz"))}},
                "videos": {{JsonSerializer.Serialize(TestPaths.Sample("video_features.csv.gz"))}},
                "validationDays": [20220430], "testDays": [20220501], "tasks": ["is_click", "long_view"]
              }
              """;
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, $$"""
            {
              "data": {{data}},
              "model": { "model": "stem-net", "embeddingDim": 4, "sharedExperts": 1, "specificExpertsPerTask": 1, "expertUnits": [8], "gateUnits": [], "towerUnits": [8] },
              "training": { "epochs": 1, "batchSize": 2048, "maxSteps": 3 },
              "search": {{search}}{{(variants.Length > 0 ? "," : string.Empty)}}
              {{variants}}
            }
            """);
        return path;
    }

    private const string TwoTrials = """{ "space": { "training.optimizer.learningRate": [0.01, 0.001] }, "monitor": "auc:is_click" }""";

    [Fact]
    public async Task Tune_on_the_bundled_sample_ranks_the_trials_on_validation_and_writes_the_winner_then_compare_tests_it()
    {
        var config = Config(TwoTrials, """ "variants": [{ "name": "stem-net-dense-adam", "overrides": { "training.optimizer.embeddingUpdate": "Dense" } }] """);
        var output = Path.Combine(_dir, "tune");

        var result = await Stem.SucceedAsync("tune", "--config", config, "--output", output, "--json", Path.Combine(_dir, "tune-result.json"), "--threads", "1");

        result.Stderr.Should().Contain("Tuning stem-net: 2 of 2 trials (grid search over training.optimizer.learningRate), chosen on validation auc:is_click");
        result.Stdout.Should().Contain("Trials ranked by validation auc:is_click (the test split is not evaluated)");
        result.Stdout.Should().MatchRegex(@"\| 1 +\| [12] best +\| 0\.0+1 +\| +0\.\d{4} \|");
        result.Stdout.Should().Contain($"Pictures: {Path.Combine(output, "report.html")} (1 picture as PNG and SVG beside it)", "one option varies: the trials' bars, no grid");
        File.ReadAllText(Path.Combine(output, "report.html")).Should().Contain("data:image/png;base64,").And.Contain("Validation AUC by trial (2 trials");
        File.Exists(Path.Combine(output, "tuning-trials.svg")).Should().BeTrue();
        var json = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "tune-result.json"))).RootElement;
        json.GetProperty("command").GetString().Should().Be("tune");
        json.GetProperty("trained").GetInt32().Should().Be(2);
        json.GetProperty("reused").GetInt32().Should().Be(0);
        var tuning = json.GetProperty("tuning");
        var trials = tuning.GetProperty("trials").EnumerateArray().ToArray();
        trials.Should().HaveCount(2);
        foreach (var trial in trials)
        {
            trial.GetProperty("steps").GetInt64().Should().Be(3, "training.maxSteps keeps each trial to a few steps");
            trial.GetProperty("score").GetDouble().Should().Be(trial.GetProperty("validation").GetProperty("tasks")[0].GetProperty("auc").GetDouble());
            trial.GetProperty("validation").GetProperty("tasks")[0].GetProperty("count").GetInt64().Should().Be(3662, "the validation day of the sample");
        }

        var best = tuning.GetProperty("best").GetInt32();
        trials.MaxBy(t => t.GetProperty("score").GetDouble()).GetProperty("number").GetInt32().Should().Be(best);
        var winningRate = trials[best - 1].GetProperty("overrides").GetProperty("training.optimizer.learningRate").GetDouble();
        var winner = await Hosting.ExperimentConfigLoader.LoadAsync(Path.Combine(output, "best.experiment.json"));
        winner.Training.Optimizer.LearningRate.Should().Be(winningRate);
        winner.Training.MaxSteps.Should().Be(3);
        winner.Search.Should().BeNull();

        // A rerun trains nothing.
        var again = await Stem.SucceedAsync("tune", "--config", config, "--output", output, "--json", "--quiet", "--threads", "1");
        again.Json().GetProperty("trained").GetInt32().Should().Be(0);
        again.Json().GetProperty("reused").GetInt32().Should().Be(2);

        // compare --tuned tests the winner once per seed; --variants adds the named ablation.
        var compare = await Stem.SucceedAsync("compare", "--config", config, "--tuned", output, "--variants", "all", "--seeds", "1", "--output", Path.Combine(_dir, "compare"), "--json", "--quiet", "--threads", "1");
        var runs = compare.Json().GetProperty("report").GetProperty("runs").EnumerateArray().ToArray();
        runs.Select(r => r.GetProperty("variant").GetString()).Should().Equal("stem-net-dense-adam", "stem-net-tuned");
        runs.Should().OnlyContain(r => r.GetProperty("test").GetProperty("tasks")[0].GetProperty("count").GetInt64() == 3630);
        runs[1].GetProperty("validation").GetProperty("tasks")[0].GetProperty("auc").GetDouble()
            .Should().Be(trials[best - 1].GetProperty("validation").GetProperty("tasks")[0].GetProperty("auc").GetDouble(), "the winner retrains as its trial did");
        compare.Json().GetProperty("report").GetProperty("rows").EnumerateArray().Select(r => r.GetProperty("model").GetString()).Distinct()
            .Should().Equal("stem-net-dense-adam", "stem-net-tuned");
    }

    [Fact]
    public async Task The_sample_tune_experiments_load_the_bundled_one_is_small_and_the_week_one_has_the_papers_grid()
    {
        var samples = Path.Combine(TestPaths.RepositoryRoot, "samples", "experiments");
        var sample = await Hosting.ExperimentConfigLoader.LoadAsync(Path.Combine(samples, "kuairand-stem-net-tune.json"));
        var week = await Hosting.ExperimentConfigLoader.LoadAsync(Path.Combine(samples, "kuairand-week-stem-net-tune.json"));

        File.Exists(sample.Data.Train).Should().BeTrue("the small grid runs from a fresh clone");
        Hosting.SearchSpace.Enumerate(sample.Search!).Count.Should().BeLessThanOrEqualTo(4);
        sample.Training.Epochs.Should().Be(1);
        Hosting.ExperimentVariants.Resolve(sample).Select(v => v.Name).Should().Contain("stem-net-dense-adam");
        week.Data.Train.Should().EndWith(Path.Combine("shared", "data", "kuairand-pure", "log_20220425_20220501.csv.gz"));
        week.Search!.Space["training.optimizer.learningRate"].Select(v => v.GetDouble()).Should().Equal(1e-3, 5e-4, 1e-4);
        week.Search.Space["model.sharedExperts"].Select(v => v.GetInt32()).Should().Equal(1, 2, 4, 8);
        Hosting.SearchSpace.Enumerate(week.Search).Should().HaveCount(12);
    }

    [Theory]
    [InlineData("""{ "space": { "model.experts": [2, 4] } }""", "$.search.space['model.experts'][0]: $.model.experts")]
    [InlineData("""{ "space": { } }""", "$.search.space: is empty")]
    [InlineData("""{ "space": { "model.dropout": [] } }""", "$.search.space['model.dropout']: lists no values")]
    [InlineData("""{ "space": { "model.dropout": [0.1] }, "trials": 0 }""", "$.search.trials: must be at least 1")]
    [InlineData("""{ "space": { "model.dropout": [0.1] }, "monitor": "auc:is_clik" }""", "$.search.monitor: Unknown monitor 'auc:is_clik'")]
    public async Task A_bad_search_is_refused_naming_the_file_and_the_entry(string search, string message)
    {
        var config = Config(search);

        var result = await Stem.RunAsync("tune", "--config", config, "--output", Path.Combine(_dir, "tune"));

        result.ExitCode.Should().Be(3, result.ToString());
        result.ErrorLine.Should().Contain($"{config}: {message}");
        Directory.Exists(Path.Combine(_dir, "tune")).Should().BeFalse("nothing trains");
    }

    [Fact]
    public async Task A_budget_of_zero_and_a_file_without_search_are_refused()
    {
        var zero = await Stem.RunAsync("tune", "--config", Config(TwoTrials), "--trials", "0");
        var none = await Stem.RunAsync("tune", "--config", Path.Combine(TestPaths.RepositoryRoot, "samples", "experiments", "kuairand-stem-net.json"));

        zero.ExitCode.Should().Be(2, zero.ToString());
        zero.ErrorLine.Should().Contain("--trials");
        none.ExitCode.Should().Be(2, none.ToString());
        none.ErrorLine.Should().Contain("kuairand-stem-net.json has no search section");
    }

    [Fact]
    public async Task A_tuned_directory_of_another_dataset_and_an_unknown_variant_are_refused_naming_them()
    {
        var tuned = Path.Combine(_dir, "tuned");
        await Stem.SucceedAsync("tune", "--config", Config("""{ "space": { "model.dropout": [0.1] } }""", rows: 600, name: "a.json"), "--output", tuned, "--quiet", "--threads", "1");
        var other = Config("""{ "space": { "model.dropout": [0.1] } }""", """ "variants": [{ "name": "no-dropout", "overrides": { "model.dropout": 0 } }] """, rows: 700, name: "b.json");

        var compare = await Stem.RunAsync("compare", "--config", other, "--tuned", tuned);
        var variant = await Stem.RunAsync("compare", "--config", other, "--variants", "no-dropuot");
        var tune = await Stem.RunAsync("tune", "--config", other, "--output", tuned);

        compare.ExitCode.Should().Be(3, compare.ToString());
        compare.ErrorLine.Should().Contain($"{Path.Combine(tuned, "tuning.json")}: $.experiment.data: was tuned on another dataset (data.rows 600, not 700)");
        variant.ExitCode.Should().Be(2, variant.ToString());
        variant.ErrorLine.Should().Contain("--variants").And.Contain("'no-dropuot' is not a variant of").And.Contain("no-dropout");
        tune.ExitCode.Should().Be(3, tune.ToString());
        tune.ErrorLine.Should().Contain($"{Path.Combine(tuned, "tuning.json")}: $.experiment.data: this directory was tuned on another dataset");
    }
}
