using System.Text.Json;
using System.Text.Json.Nodes;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Tests.Hosting;

/// <summary>stem tune's API on real tiny trainings (600 synthetic rows, one epoch): resumption, selection, the winner file, another dataset.</summary>
public sealed class ExperimentTunerTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    private static ExperimentConfig Experiment(int? trials, int rows = 600, string monitor = "mean_auc") => ExperimentConfigLoader.Parse($$"""
        {
          "data": { "preset": "synthetic", "rows": {{rows}} },
          "model": { "model": "mmoe", "experts": 2, "expertUnits": [8], "gateUnits": [4], "towerUnits": [4], "embeddingDim": 4 },
          "training": { "epochs": 1, "batchSize": 128 },
          "runtime": { "device": "cpu", "threads": 1 },
          "search": {
            "space": { "training.optimizer.learningRate": [0.01, 0.0001], "model.experts": [1, 2] },
            {{(trials is { } t ? $"\"trials\": {t}," : string.Empty)}}
            "monitor": "{{monitor}}"
          }
        }
        """, "tune.json");

    private sealed class Runs : IProgress<ExperimentProgress>
    {
        public HashSet<int> Trained { get; } = [];

        public HashSet<string> Labels { get; } = [];

        public void Report(ExperimentProgress value)
        {
            lock (Trained)
            {
                Trained.Add(value.Run);
                Labels.Add(value.Model);
            }
        }
    }

    [Fact]
    public async Task A_rerun_with_a_larger_budget_trains_only_the_new_trial_and_the_winner_is_the_best_validation_trial()
    {
        var first = new Runs();
        var two = await new ExperimentTuner().TuneAsync(Experiment(2), _dir, first);
        var second = new Runs();
        var three = await new ExperimentTuner().TuneAsync(Experiment(3), _dir, second);

        first.Trained.Should().BeEquivalentTo([1, 2]);
        two.Trials.Select(t => t.Reused).Should().Equal(false, false);
        second.Trained.Should().BeEquivalentTo([3], "trials 1 and 2 are in the directory");
        second.Labels.Should().ContainSingle().Which.Should().Be("mmoe experts=2 learningRate=0.01");
        three.Trials.Select(t => t.Reused).Should().Equal(true, true, false);
        three.Trials.Select(t => t.Key).Should().Equal(
            """{"model.experts":1,"training.optimizer.learningRate":0.01}""",
            """{"model.experts":1,"training.optimizer.learningRate":0.0001}""",
            """{"model.experts":2,"training.optimizer.learningRate":0.01}""");
        three.Trials.Take(2).Select(t => t.Validation).Should().BeEquivalentTo(two.Trials.Select(t => t.Validation), "reused trials keep their metrics");

        // Selection: the largest validation mean AUC, recorded as the score; nothing about the test split.
        three.Trials.Should().OnlyContain(t => t.Score == t.Validation.MeanAuc && t.Score > 0 && t.Score < 1);
        var best = three.Trials.MaxBy(t => t.Score)!;
        three.Best.Should().Be(best.Number);
        three.Ranked()[0].Should().Be(best);
        var state = await File.ReadAllTextAsync(Path.Combine(_dir, ExperimentTuner.StateFile));
        state.Should().NotContain("\"test\"", "a trial never evaluates the test split");
        (await File.ReadAllTextAsync(Path.Combine(_dir, ExperimentTuner.ResultsFile))).Should().Contain($"| 1 | {best.Number} (best) |");

        // The winner file is a complete experiment: the base with the winning overrides.
        var winner = await ExperimentConfigLoader.LoadAsync(Path.Combine(_dir, ExperimentTuner.BestFile));
        var expected = ExperimentOverrides.Apply(Experiment(3), best.Overrides, "tune.json", p => p);
        JsonNode.DeepEquals(ExperimentOverrides.ToJson(winner), ExperimentOverrides.ToJson(expected)).Should().BeTrue();
        winner.Search.Should().BeNull();
        ((STEM.Recommenders.Models.MmoeOptions)winner.Model).Experts.Should().Be(best.Overrides["model.experts"].GetInt32());
        winner.Training.Optimizer.LearningRate.Should().Be(best.Overrides["training.optimizer.learningRate"].GetDouble());
    }

    [Fact]
    public async Task A_named_tasks_monitor_selects_on_that_tasks_validation_auc()
    {
        var report = await new ExperimentTuner().TuneAsync(Experiment(2, monitor: "auc:task1"), _dir);

        report.Monitor.Should().Be("auc:task1");
        report.Trials.Should().OnlyContain(t => t.Score == t.Validation["task1"].Auc);
        report.Best.Should().Be(report.Trials.MaxBy(t => t.Validation["task1"].Auc)!.Number);
    }

    [Fact]
    public async Task A_data_option_in_the_space_loads_the_data_again_for_its_trials()
    {
        var config = Experiment(null) with
        {
            Search = new SearchConfig { Space = new Dictionary<string, IReadOnlyList<JsonElement>> { ["data.rows"] = [JsonDocument.Parse("600").RootElement.Clone(), JsonDocument.Parse("1000").RootElement.Clone()] } },
        };

        var report = await new ExperimentTuner().TuneAsync(config, _dir);

        var counts = report.Trials.Select(t => t.Validation.Tasks[0].Count).ToArray();
        counts.Should().HaveCount(2);
        counts[1].Should().BeGreaterThan(counts[0], "the second trial trains and validates on 1000 generated rows, not 600");
    }

    [Fact]
    public async Task A_directory_tuned_on_another_dataset_is_refused_naming_its_state_file()
    {
        await new ExperimentTuner().TuneAsync(Experiment(1), _dir);
        var state = Path.Combine(_dir, ExperimentTuner.StateFile);

        var tune = () => new ExperimentTuner().TuneAsync(Experiment(1, rows: 700), _dir);
        var compare = () => TunedExperiments.LoadAsync(_dir, Experiment(1, rows: 700));
        var otherBase = () => new ExperimentTuner().TuneAsync(Experiment(1) with { Training = Experiment(1).Training with { BatchSize = 64 } }, _dir);

        (await tune.Should().ThrowAsync<ExperimentConfigException>()).WithMessage($"{state}: $.experiment.data: this directory was tuned on another dataset*");
        (await compare.Should().ThrowAsync<ExperimentConfigException>()).WithMessage($"{state}: $.experiment.data: was tuned on another dataset*");
        (await otherBase.Should().ThrowAsync<ExperimentConfigException>()).WithMessage($"{state}: $.experiment.training: *another base experiment*");
    }

    [Fact]
    public async Task Tuned_winners_and_variants_are_tested_over_seeds_as_rows_under_their_names()
    {
        await new ExperimentTuner().TuneAsync(Experiment(1), _dir);
        var tuned = await TunedExperiments.LoadAsync(_dir, Experiment(1));
        var variant = ExperimentVariants.Resolve(Experiment(1) with { Variants = [new VariantConfig { Name = "mmoe-dense", Overrides = new Dictionary<string, JsonElement> { ["training.optimizer.embeddingUpdate"] = JsonDocument.Parse("\"Dense\"").RootElement.Clone() } }] });

        var output = Path.Combine(_dir, "compare");
        var report = await new VariantComparer().CompareAsync([tuned, .. variant], seeds: 2, output);

        tuned.Name.Should().Be("mmoe-tuned");
        report.Runs.Select(r => $"{r.Variant}/{r.Model}/{r.Seed}").Should().Equal("mmoe-tuned/mmoe/2023", "mmoe-tuned/mmoe/2024", "mmoe-dense/mmoe/2023", "mmoe-dense/mmoe/2024");
        report.Runs.Should().OnlyContain(r => r.Test.Tasks.Count == 2 && r.Test.MeanAuc > 0);
        report.Rows.Select(r => $"{r.Model}/{r.Task}").Should().Equal("mmoe-tuned/task0", "mmoe-tuned/task1", "mmoe-dense/task0", "mmoe-dense/task1");
        (await File.ReadAllTextAsync(Path.Combine(output, "comparison.md"))).Should().Contain("| mmoe-dense |").And.Contain("| mmoe-tuned | 2024 |");
    }

    [Fact]
    public async Task A_variant_comparison_with_a_single_task_row_under_another_name_has_the_negative_transfer_analysis_against_it()
    {
        var mmoe = Experiment(null);
        var single = mmoe with { Search = null, Model = ExperimentConfigLoader.Parse("""{ "data": { "preset": "synthetic" }, "model": { "model": "single-task", "bottomUnits": [8], "towerUnits": [4], "embeddingDim": 4 } }""", "st.json").Model };

        var report = await new VariantComparer().CompareAsync([new("mmoe-tuned", mmoe with { Search = null }), new("single-task-tuned", single)], seeds: 1);

        report.NegativeTransfer.Should().ContainSingle();
        var analysis = report.NegativeTransfer![0];
        analysis.Baseline.Should().Be("single-task-tuned", "the first single-task row is the baseline, whatever its name");
        (analysis.TaskA, analysis.TaskB).Should().Be(("task0", "task1"));
        analysis.Groups.Should().NotBeEmpty();
        analysis.Groups.Should().OnlyContain(g => g.AucA.Keys.Order().SequenceEqual(new[] { "mmoe-tuned", "single-task-tuned" }));
        analysis.Groups.Sum(g => g.Samples).Should().BeGreaterThan(0);
        analysis.Groups.SelectMany(g => g.AucA.Values).Should().OnlyContain(auc => double.IsNaN(auc) || (auc >= 0 && auc <= 1));
    }

    [Fact]
    public async Task A_variant_comparison_without_a_single_task_row_has_no_negative_transfer_analysis()
    {
        var report = await new VariantComparer().CompareAsync([new("mmoe-a", Experiment(null)), new("mmoe-b", Experiment(null))], seeds: 1);

        report.NegativeTransfer.Should().BeNull();
    }
}
