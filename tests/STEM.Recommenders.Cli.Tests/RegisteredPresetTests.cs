using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Training.Weighting;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>
/// The command line asks the registries, not a list of its own: a preset or weighting that the
/// process registered works in an experiment file and after <c>--preset</c>, its own checks are
/// reported as the option that sets the value, and unknown names list what is registered.
/// </summary>
public sealed class RegisteredPresetTests : IDisposable
{
    private const string Preset = "small-synthetic";
    private const string Weighting = "half";

    private readonly string _dir = TestPaths.TempDirectory();
    private int _weightings;

    public RegisteredPresetTests()
    {
        // Registered for each test and removed again, so that the tests that list the known
        // names see only the built-in ones, whatever the order tests run in.
        DatasetPresets.Register(new SmallSynthetic());
        LossWeightings.Register(Weighting, "Half of each task loss.", c =>
        {
            _weightings++;
            return new FixedWeighting(c.Weights ?? [0.5, 0.5]);
        });
    }

    public void Dispose()
    {
        DatasetPresets.Unregister(Preset);
        LossWeightings.Unregister(Weighting);
        TestPaths.Delete(_dir);
    }

    [Fact]
    public async Task An_experiment_file_trains_with_a_registered_preset_and_weighting()
    {
        var config = Write("small.json", """
            {
              "data": { "preset": "small-synthetic", "rows": 300 },
              "model": { "model": "mmoe", "experts": 2, "expertUnits": [8], "gateUnits": [4], "towerUnits": [4], "embeddingDim": 4 },
              "training": { "epochs": 1, "batchSize": 128 },
              "weighting": { "name": "half" }
            }
            """);
        var output = Path.Combine(_dir, "run");

        var result = await Stem.SucceedAsync("train", "--config", config, "--output", output, "--device", "cpu");

        result.Stderr.Should().Contain("small synthetic data (300 rows)", "the log line describes the data as the preset does");
        File.Exists(Path.Combine(output, "metrics.json")).Should().BeTrue();
        _weightings.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task A_registered_preset_works_after_preset_on_the_command_line()
    {
        var output = Path.Combine(_dir, "run");

        await Stem.SucceedAsync("train", "--preset", "Small-Synthetic", "--rows", "300", "--model", "mmoe", "--epochs", "1", "--batch-size", "128", "--device", "cpu", "--output", output);

        File.Exists(Path.Combine(output, "metrics.json")).Should().BeTrue();
    }

    [Fact]
    public async Task A_registered_preset_rejects_a_setting_as_the_option_that_gives_it()
    {
        var result = await Stem.RunAsync("train", "--preset", Preset, "--rows", "9000");

        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --rows: the small-synthetic preset makes at most 5000 rows (--rows N)");
    }

    [Fact]
    public async Task Unknown_names_list_the_registered_ones()
    {
        var preset = await Stem.RunAsync("train", "--preset", "movielens");
        var path = Write("dwa.json", """{ "data": { "preset": "synthetic" }, "weighting": { "name": "dwa" } }""");
        var weighting = await Stem.RunAsync("train", "--config", path);

        preset.ErrorLine.Should().Be("stem: error: --preset: Unknown dataset preset 'movielens'; known presets: kuairand, census-income, synthetic, small-synthetic.");
        weighting.ExitCode.Should().Be(3);
        weighting.ErrorLine.Should().Be($"stem: error: {path}: $.weighting.name: Unknown loss weighting 'dwa'; known: fixed, uncertainty, gradnorm, half.");
    }

    [Fact]
    public async Task Fixed_weights_are_checked_against_the_tasks_the_preset_will_have()
    {
        var path = Write("weights.json", """{ "data": { "preset": "small-synthetic" }, "weighting": { "name": "fixed", "weights": [1, 1, 1] } }""");

        var result = await Stem.RunAsync("train", "--config", path);

        result.ExitCode.Should().Be(3);
        result.ErrorLine.Should().Be($"stem: error: {path}: $.weighting.weights: 3 weights were given for 2 tasks (task0, task1)");
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>The synthetic generator under another name, for at most 5000 rows.</summary>
    private sealed class SmallSynthetic : IDatasetPreset
    {
        private readonly IDatasetPreset _synthetic = DatasetPresets.Get("synthetic");

        public string Name => Preset;

        public string Description => "The synthetic generator, at most 5000 rows.";

        public void Validate(DataConfig data)
        {
            if (data.Rows is > 5000)
            {
                var setting = "rows";
                throw new ArgumentException($"the {Name} preset makes at most 5000 rows", setting);
            }
        }

        public IReadOnlyList<string> TaskNames(DataConfig data) => _synthetic.TaskNames(data);

        public string DescribeSource(DataConfig data) => $"small synthetic data ({data.Rows ?? 20_000} rows)";

        public Task<PresetSplits> LoadAsync(DataConfig data, TableReaderRegistry readers, CancellationToken cancellationToken = default) =>
            _synthetic.LoadAsync(data, readers, cancellationToken);
    }
}
