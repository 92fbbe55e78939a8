using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Hosting;

/// <summary>
/// A preset and a weighting that an application registers once are named like built-in ones in
/// experiment files, by <see cref="ExperimentRunner"/> and under <c>AddStemRecommenders</c>; names
/// nobody registered are clear errors that list the registered ones.
/// </summary>
public sealed class RegisteredPresetAndWeightingTests : IDisposable
{
    private readonly TinySynthetic _preset = new();
    private readonly HalfWeighting.Factory _weighting = new();

    public RegisteredPresetAndWeightingTests()
    {
        // Every test registers afresh and Dispose removes them again, so that the tests elsewhere
        // that list the known names see only the built-in ones, whatever the order tests run in.
        DatasetPresets.Register(_preset);
        LossWeightings.Register(_weighting);
    }

    public void Dispose()
    {
        DatasetPresets.Unregister(TinySynthetic.PresetName);
        LossWeightings.Unregister(HalfWeighting.WeightingName);
    }

    private const string TinyExperiment = """
        {
          "data": { "preset": "Tiny-Synthetic", "rows": 400 },
          "model": { "model": "mmoe", "experts": 2, "expertUnits": [8], "gateUnits": [4], "towerUnits": [4], "embeddingDim": 4 },
          "training": { "epochs": 1, "batchSize": 128 },
          "weighting": { "name": "HALF" },
          "runtime": { "device": "cpu" }
        }
        """;

    [Fact]
    public async Task An_experiment_file_runs_with_a_registered_preset_and_weighting_by_name()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "experiment.json");
        await File.WriteAllTextAsync(path, TinyExperiment);

        var config = await ExperimentConfigLoader.LoadAsync(path);
        var result = await new ExperimentRunner().TrainAsync(config);
        using var artifact = result.Artifact;

        _preset.Loads.Should().Be(1);
        _preset.LastRows.Should().Be(400);
        _weighting.Created.Should().BeGreaterThan(0);
        _weighting.Backwards.Should().BeGreaterThan(0, "the trainer combined the task losses with the registered weighting");
        result.Report.Tasks.Should().Equal(_preset.TaskNames(config.Data));
        result.Report.Test.Tasks.Should().OnlyContain(t => t.Auc > 0 && t.Auc < 1);
    }

    [Fact]
    public void An_unknown_preset_in_a_file_names_its_json_path_and_the_registered_presets()
    {
        var act = () => ExperimentConfigLoader.Parse("""{"data": {"preset": "movielens"}}""", "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage(
            "experiment.json: $.data.preset: Unknown dataset preset 'movielens'; known presets: kuairand, census-income, synthetic, tiny-synthetic.");
    }

    [Fact]
    public void An_unknown_weighting_in_a_file_names_its_json_path_and_the_registered_weightings()
    {
        var act = () => ExperimentConfigLoader.Parse("""{"data": {"preset": "synthetic"}, "weighting": {"name": "dwa"}}""", "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage(
            "experiment.json: $.weighting.name: Unknown loss weighting 'dwa'; known: fixed, uncertainty, gradnorm, half.");
    }

    [Fact]
    public void A_registered_preset_checks_its_own_settings_and_the_error_names_the_setting()
    {
        var act = () => ExperimentConfigLoader.Parse("""{"data": {"preset": "tiny-synthetic", "rows": 9000}}""", "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.data.rows: the tiny-synthetic preset makes at most 5000 rows");
    }

    [Theory]
    [InlineData("""{"preset": "census-income", "train": "census.csv", "users": "u.csv"}""", "$.data.users: the census-income preset does not read 'users' (it reads train)")]
    [InlineData("""{"preset": "synthetic", "trainDays": [20220425]}""", "$.data.trainDays: the synthetic preset does not read 'trainDays' (it reads rows, correlation, tasks)")]
    [InlineData("""{"preset": "kuairand", "train": "log.csv", "rows": 10}""", "$.data.rows: the kuairand preset does not read 'rows'*")]
    [InlineData("""{"preset": "kuairand", "train": "log.csv", "validation": "v.csv"}""", "$.data.validation: the kuairand preset does not read 'validation'*")]
    public void A_data_entry_the_preset_does_not_read_is_an_error_naming_it(string data, string message)
    {
        var act = () => ExperimentConfigLoader.Parse($$"""{"data": {{data}}}""", "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage($"experiment.json: {message}");
    }

    [Fact]
    public void A_custom_schema_refuses_a_kuairand_entry_and_kuairand_takes_its_embedding_switches()
    {
        var custom = () => ExperimentConfigLoader.Parse("""
            {"data": {"train": "t.csv", "validation": "v.csv", "test": "s.csv", "tagAsOneToken": true,
              "schema": {"features": [{"type": "categorical", "name": "a"}], "tasks": [{"name": "y"}]}}}
            """, "experiment.json");
        custom.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.data.tagAsOneToken: a custom schema does not read 'tagAsOneToken'*");

        var kuairand = ExperimentConfigLoader.Parse("""{"data": {"preset": "kuairand", "train": "log.csv", "taskSpecificFields": "UserSide", "tagAsOneToken": true}}""", "experiment.json");
        kuairand.Data.TaskSpecificFields.Should().Be(KuaiRandTaskSpecificFields.UserSide);
        kuairand.Data.TagAsOneToken.Should().BeTrue();

        var bad = () => ExperimentConfigLoader.Parse("""{"data": {"preset": "kuairand", "train": "log.csv", "taskSpecificFields": "ItemSide"}}""", "experiment.json");
        bad.Should().Throw<ExperimentConfigException>().WithMessage("*$.data.taskSpecificFields*");
    }

    [Fact]
    public void A_registered_weighting_checks_its_own_settings_and_the_error_names_the_setting()
    {
        var act = () => ExperimentConfigLoader.Parse("""{"data": {"preset": "synthetic"}, "weighting": {"name": "half", "alpha": 3}}""", "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.weighting.alpha: half weighting takes no alpha");
    }

    [Fact]
    public void A_built_in_weighting_reports_a_bad_setting_at_its_own_path()
    {
        var act = () => ExperimentConfigLoader.Parse("""{"data": {"preset": "synthetic"}, "weighting": {"name": "fixed", "weights": [1, -1]}}""", "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.weighting.weights: Task weights must be finite and non-negative.");
        var tasks = () => LossWeightings.Validate(new WeightingConfig { Weights = [1, 1] }, ["a", "b", "c"]);
        tasks.Should().Throw<ArgumentException>().WithMessage("2 weights were given for 3 tasks (a, b, c)*").Which.ParamName.Should().Be("weights");
    }

    [Fact]
    public void Names_are_taken_whatever_their_letter_case()
    {
        var preset = () => DatasetPresets.Register(new TinySynthetic("Synthetic"));
        var weighting = () => LossWeightings.Register("FIXED", "again", _ => new FixedWeighting());

        preset.Should().Throw<ArgumentException>().WithMessage("A dataset preset named 'Synthetic' is already registered.*");
        weighting.Should().Throw<ArgumentException>().WithMessage("A loss weighting named 'FIXED' is already registered.*");
        DatasetPresets.Names.Should().Equal("kuairand", "census-income", "synthetic", "tiny-synthetic");
        LossWeightings.Names.Should().Equal("fixed", "uncertainty", "gradnorm", "half");
        DatasetPresets.Get("TINY-synthetic").Should().BeSameAs(_preset);
        LossWeightings.Resolve(" Half ").Should().Be("half");
    }

    [Fact]
    public async Task The_host_validates_and_trains_with_a_registered_preset_and_weighting()
    {
        using var host = Host(new()
        {
            ["Stem:Data:Preset"] = "tiny-synthetic",
            ["Stem:Data:Rows"] = "300",
            ["Stem:Weighting:Name"] = "half",
            ["Stem:Model"] = "mmoe",
            ["Stem:Models:mmoe:Experts"] = "2",
            ["Stem:Models:mmoe:ExpertUnits:0"] = "8",
            ["Stem:Models:mmoe:GateUnits:0"] = "4",
            ["Stem:Models:mmoe:TowerUnits:0"] = "4",
            ["Stem:Models:mmoe:EmbeddingDim"] = "4",
            ["Stem:Training:Epochs"] = "1",
            ["Stem:Training:BatchSize"] = "128",
            ["Stem:Runtime:Device"] = "Cpu",
        });
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<StemOptions>>().Value;
        var result = await host.Services.GetRequiredService<ExperimentRunner>().TrainAsync(options.ToExperiment());
        result.Artifact.Dispose();
        _preset.Loads.Should().Be(1);
        var created = _weighting.Created;
        created.Should().BeGreaterThan(0);

        // The Trainer the container hands out creates the configured weighting too.
        using var data = SyntheticSplits.Create(rows: 300);
        manual_seed(2);
        using var model = new Mmoe(data.Pipeline.Layout, data.Pipeline.TaskNames, (MmoeOptions)TinyData.Small(Mmoe.Name));
        host.Services.GetRequiredService<Trainer>().Fit(model, data.Train, data.Validation);
        _weighting.Created.Should().BeGreaterThan(created);
        await host.StopAsync();
    }

    [Fact]
    public async Task Unknown_names_fail_the_host_at_start_naming_the_settings()
    {
        using var host = Host(new() { ["Stem:Data:Preset"] = "movielens", ["Stem:Weighting:Name"] = "dwa" });

        var act = () => host.StartAsync();

        var error = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().Contain("Stem:Weighting:Name: Unknown loss weighting 'dwa'; known: fixed, uncertainty, gradnorm, half.");
        error.Failures.Should().Contain("Stem:Data:Preset: Unknown dataset preset 'movielens'; known presets: kuairand, census-income, synthetic, tiny-synthetic.");
    }

    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddStemRecommenders(builder.Configuration.GetSection("Stem"));
        return builder.Build();
    }

    /// <summary>A user-defined preset: the synthetic generator under another name, limited to small data.</summary>
    private sealed class TinySynthetic(string name = TinySynthetic.PresetName) : IDatasetPreset
    {
        public const string PresetName = "tiny-synthetic";

        private readonly IDatasetPreset _synthetic = DatasetPresets.Get("synthetic");

        public int Loads { get; private set; }

        public int? LastRows { get; private set; }

        public string Name => name;

        public string Description => "The synthetic generator, at most 5000 rows.";

        public void Validate(DataConfig data)
        {
            _synthetic.Validate(data);
            if (data.Rows is > 5000)
            {
                // The property's name: the loader writes it as the JSON path ($.data.rows).
                var setting = nameof(DataConfig.Rows);
                throw new ArgumentException($"the {Name} preset makes at most 5000 rows", setting);
            }
        }

        public IReadOnlyList<string> TaskNames(DataConfig data) => _synthetic.TaskNames(data);

        public string DescribeSource(DataConfig data) => $"tiny synthetic data ({data.Rows} rows)";

        public async Task<PresetSplits> LoadAsync(DataConfig data, TableReaderRegistry readers, CancellationToken cancellationToken = default)
        {
            Loads++;
            LastRows = data.Rows;
            var splits = await _synthetic.LoadAsync(data, readers, cancellationToken);
            return splits with { Name = Name };
        }
    }

    /// <summary>A user-defined weighting: half of the sum of the task losses.</summary>
    private sealed class HalfWeighting(Action backward) : ILossWeighting
    {
        public const string WeightingName = "half";

        private int _tasks;

        public string Name => WeightingName;

        public IReadOnlyList<Parameter> Parameters => [];

        public void Attach(IMultiTaskModel model) => _tasks = model.TaskNames.Count;

        public Tensor Backward(Tensor taskLosses, Tensor? auxiliaryLoss)
        {
            backward();
            var total = taskLosses.sum() * 0.5;
            if (auxiliaryLoss is not null)
            {
                total += auxiliaryLoss;
            }

            total.backward();
            return total.detach();
        }

        public void AfterStep()
        {
        }

        public IReadOnlyList<double> CurrentWeights() => Enumerable.Repeat(0.5, _tasks).ToArray();

        public void Save(BinaryWriter writer)
        {
        }

        public void Load(BinaryReader reader)
        {
        }

        public void Dispose()
        {
        }

        public sealed class Factory : ILossWeightingFactory
        {
            public int Created { get; private set; }

            public int Backwards { get; private set; }

            public string Name => WeightingName;

            public string Description => "Half of the sum of the task losses; no settings.";

            public void Validate(WeightingConfig config, IReadOnlyList<string>? taskNames)
            {
                if (config.Alpha != new WeightingConfig().Alpha)
                {
                    var setting = nameof(WeightingConfig.Alpha);
                    throw new ArgumentException("half weighting takes no alpha", setting);
                }
            }

            public ILossWeighting Create(WeightingConfig config)
            {
                Created++;
                return new HalfWeighting(() => Backwards++);
            }
        }
    }
}
