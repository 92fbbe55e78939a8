using System.Text.Json;
using System.Text.Json.Nodes;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Tests.Hosting;

/// <summary>Overrides as JSON paths into the experiment document, and the search and variants sections that use them.</summary>
public class ExperimentOverridesTests
{
    private const string Base = """
        {
          "data": { "preset": "synthetic", "rows": 600 },
          "model": { "model": "stem-net", "sharedExperts": 2, "expertUnits": [8], "gateUnits": [4], "towerUnits": [4], "embeddingDim": 4 },
          "training": { "epochs": 1, "batchSize": 64 }
        }
        """;

    private static string With(string section) => Base.TrimEnd().TrimEnd('}') + "," + section + "}";

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static KeyValuePair<string, JsonElement> Set(string path, string value) => new(path, Json(value));

    private static string Apply(string path, string value, string json = Base) =>
        ExperimentOverrides.Apply(ExperimentConfigLoader.Parse(json, "experiment.json"), [Set(path, value)], "experiment.json", p => $"$.search.space['{p}']").ToString();

    [Fact]
    public void A_configuration_survives_the_round_trip_through_json()
    {
        var config = ExperimentConfigLoader.Parse(Base, "experiment.json");

        var back = ExperimentOverrides.Apply(config, [], "experiment.json", p => p);

        JsonNode.DeepEquals(ExperimentOverrides.ToJson(back), ExperimentOverrides.ToJson(config)).Should().BeTrue();
        back.Model.Should().BeEquivalentTo(config.Model, o => o.RespectingRuntimeTypes());
        back.Training.Should().BeEquivalentTo(config.Training);
    }

    [Fact]
    public void Overrides_set_model_training_and_weighting_options_by_path_in_any_letter_case()
    {
        var config = ExperimentConfigLoader.Parse(Base, "experiment.json");

        var tuned = ExperimentOverrides.Apply(
            config,
            [Set("model.sharedExperts", "8"), Set("training.optimizer.learningRate", "0.0005"), Set("Model.Isolation", "\"ReferenceCompatible\""), Set("weighting.name", "\"uncertainty\""), Set("model.towerUnits", "[16, 8]"), Set("training.optimizer.embeddingUpdate", "\"Dense\"")],
            "experiment.json",
            p => p);

        var model = tuned.Model.Should().BeOfType<StemNetOptions>().Subject;
        model.SharedExperts.Should().Be(8);
        model.Isolation.Should().Be(StemIsolation.ReferenceCompatible);
        model.TowerUnits.Should().Equal(16, 8);
        model.ExpertUnits.Should().Equal(8);
        tuned.Training.Optimizer.LearningRate.Should().Be(0.0005);
        tuned.Training.Optimizer.EmbeddingUpdate.Should().Be(EmbeddingUpdate.Dense);
        tuned.Training.BatchSize.Should().Be(64);
        tuned.Weighting.Name.Should().Be("uncertainty");
    }

    [Theory]
    [InlineData("model.experts", "4", "experiment.json: $.search.space['model.experts']: $.model.experts*")]
    [InlineData("training.optimizr.learningRate", "0.1", "experiment.json: $.search.space['training.optimizr.learningRate']: $.training.optimizr*")]
    [InlineData("model.sharedExperts", "-1", "experiment.json: $.search.space['model.sharedExperts']: $.model.sharedExperts*")]
    [InlineData("runtime.device", "\"cpu\"", "experiment.json: $.search.space['runtime.device']: 'runtime' cannot be overridden*")]
    [InlineData("model.towerUnits[0]", "8", "experiment.json: $.search.space['model.towerUnits[0]']: 'model.towerUnits[0]' is not a dot-separated path*")]
    [InlineData("training.epochs.value", "8", "experiment.json: $.search.space['training.epochs.value']: 'training.epochs' is a value*")]
    public void A_misspelled_option_a_bad_value_or_a_fixed_section_is_refused_naming_the_entry(string path, string value, string message)
    {
        var act = () => Apply(path, value);

        act.Should().Throw<ExperimentConfigException>().WithMessage(message);
    }

    [Fact]
    public void The_loader_checks_every_value_of_the_search_space_and_names_it()
    {
        var unknown = () => ExperimentConfigLoader.Parse(With("""  "search": { "space": { "model.sharedExperts": [1, 2], "model.exprts": [1] } } """), "experiment.json");
        var badValue = () => ExperimentConfigLoader.Parse(With("""  "search": { "space": { "model.dropout": [0.1, 1.5] } } """), "experiment.json");
        var empty = () => ExperimentConfigLoader.Parse(With("""  "search": { "space": { } } """), "experiment.json");
        var emptyList = () => ExperimentConfigLoader.Parse(With("""  "search": { "space": { "model.dropout": [] } } """), "experiment.json");
        var zero = () => ExperimentConfigLoader.Parse(With("""  "search": { "space": { "model.dropout": [0.1] }, "trials": 0 } """), "experiment.json");
        var task = () => ExperimentConfigLoader.Parse(With("""  "search": { "space": { "model.dropout": [0.1] }, "monitor": "auc:is_clik" } """), "experiment.json");
        var test = () => ExperimentConfigLoader.Parse(With("""  "search": { "space": { "model.dropout": [0.1] }, "monitor": "test_auc" } """), "experiment.json");
        var unknownSetting = () => ExperimentConfigLoader.Parse(With("""  "search": { "space": { "model.dropout": [0.1] }, "budget": 3 } """), "experiment.json");

        unknown.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.search.space['model.exprts'][0]: $.model.exprts*");
        badValue.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.search.space['model.dropout'][1]: $.model.dropout*[0, 1)*");
        empty.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.search.space: is empty*");
        emptyList.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.search.space['model.dropout']: lists no values*");
        zero.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.search.trials: must be at least 1*");
        task.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.search.monitor: Unknown monitor 'auc:is_clik'*task0, task1*");
        test.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.search.monitor: 'test_auc': the winner is chosen on the validation split only*");
        unknownSetting.Should().Throw<ExperimentConfigException>().WithMessage("experiment.json: $.search.budget*");
    }

    [Fact]
    public void Variants_are_the_base_model_or_another_models_defaults_plus_their_overrides()
    {
        var config = ExperimentConfigLoader.Parse(With("""
              "variants": [
                { "name": "stem-dense-adam", "overrides": { "training.optimizer.embeddingUpdate": "Dense" } },
                { "name": "stem-task-only-gate", "model": "stem-net", "overrides": { "model.gateInput": "TaskOnly" } },
                { "name": "mmoe-4", "model": "mmoe", "overrides": { "model.experts": 4 } }
              ]
            """), "experiment.json");

        var variants = ExperimentVariants.Resolve(config, "experiment.json");

        variants.Select(v => v.Name).Should().Equal("stem-dense-adam", "stem-task-only-gate", "mmoe-4");
        variants[0].Config.Training.Optimizer.EmbeddingUpdate.Should().Be(EmbeddingUpdate.Dense);
        variants[0].Config.Model.Should().BeEquivalentTo(config.Model, o => o.RespectingRuntimeTypes());
        variants[1].Config.Model.Should().BeEquivalentTo(((StemNetOptions)config.Model) with { GateInput = STEM.Recommenders.Modules.GateInput.TaskOnly }, o => o.RespectingRuntimeTypes());
        var mmoe = variants[2].Config.Model.Should().BeOfType<MmoeOptions>().Subject;
        mmoe.Should().BeEquivalentTo(new MmoeOptions { Experts = 4 }, "another model starts from its defaults");
        variants.Should().OnlyContain(v => v.Config.Variants == null && v.Config.Search == null);
    }

    [Theory]
    [InlineData("""[{ "name": "a b" }]""", "experiment.json: $.variants[0].name: 'a b' is not a variant name*")]
    [InlineData("""[{ "name": "a" }, { "name": "A" }]""", "experiment.json: $.variants[1].name: 'A' names two variants*")]
    [InlineData("""[{ "name": "a", "model": "stem" }]""", "experiment.json: $.variants[0].model: *")]
    [InlineData("""[{ "name": "a", "overrides": { "model.experts": 2 } }]""", "experiment.json: $.variants[0].overrides['model.experts']: $.model.experts*")]
    public void A_bad_variant_is_refused_naming_it(string variants, string message)
    {
        var act = () => ExperimentConfigLoader.Parse(With($"\"variants\": {variants}"), "experiment.json");

        act.Should().Throw<ExperimentConfigException>().WithMessage(message);
    }
}
