using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Features;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>
/// docs/experiment.schema.json is written by hand; these tests keep it in step with the records the
/// loader binds, property by property, so that a new option cannot be forgotten in the schema.
/// </summary>
public sealed class ExperimentSchemaTests
{
    private static readonly JsonElement Schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepositoryRoot, "docs", "experiment.schema.json"))).RootElement;

    public static TheoryData<string, string> Records => new()
    {
        { nameof(ExperimentConfig), "#" },
        { nameof(DataConfig), "#/$defs/data" },
        { nameof(SideTableConfig), "#/$defs/join" },
        { nameof(FeatureSchema), "#/$defs/featureSchema" },
        { nameof(TaskSpec), "#/$defs/task" },
        { nameof(TrainerOptions), "#/$defs/training" },
        { nameof(OptimizerOptions), "#/$defs/optimizer" },
        { nameof(WeightingConfig), "#/$defs/weighting" },
        { nameof(RuntimeConfig), "#/$defs/runtime" },
        { nameof(SearchConfig), "#/$defs/search" },
        { nameof(VariantConfig), "#/$defs/variant" },
    };

    [Theory]
    [MemberData(nameof(Records))]
    public void Every_record_property_is_in_the_schema_and_nothing_else(string type, string pointer)
    {
        var record = typeof(ExperimentConfig).Assembly.GetTypes().Single(t => t.Name == type);
        Properties(Resolve(pointer)).Should().BeEquivalentTo(Bound(record), $"the schema at {pointer} describes {type}");
    }

    [Fact]
    public void Every_model_has_an_entry_with_exactly_its_options()
    {
        var model = Resolve("#/$defs/model");
        model.GetProperty("properties").GetProperty("model").GetProperty("enum").EnumerateArray().Select(e => e.GetString())
            .Should().BeEquivalentTo(ModelCatalog.Names);
        var entries = model.GetProperty("oneOf").EnumerateArray().ToArray();
        entries.Should().HaveCount(ModelCatalog.Names.Count);
        foreach (var name in ModelCatalog.Names)
        {
            var entry = entries.Single(e => e.GetProperty("properties").GetProperty("model").GetProperty("const").GetString() == name);
            Properties(entry).Should().BeEquivalentTo(Bound(ModelCatalog.DefaultOptions(name).GetType()).Append("model"), name);
        }
    }

    [Fact]
    public void Every_feature_type_has_an_entry_with_exactly_its_options()
    {
        var types = new Dictionary<string, Type> { ["categorical"] = typeof(CategoricalFeature), ["numeric"] = typeof(NumericFeature), ["multi_value"] = typeof(MultiValueFeature) };
        foreach (var entry in Resolve("#/$defs/feature").GetProperty("oneOf").EnumerateArray())
        {
            var name = entry.GetProperty("properties").GetProperty("type").GetProperty("const").GetString()!;
            Properties(entry).Should().BeEquivalentTo(Bound(types[name]).Append("type"), name);
        }
    }

    /// <summary>
    /// Presets and weightings are open registries: the schema cannot close the list with an enum (a
    /// registered name would be flagged in every editor), so it gives the built-in names as examples.
    /// </summary>
    [Theory]
    [InlineData("#/$defs/data", "preset")]
    [InlineData("#/$defs/weighting", "name")]
    public void Registered_names_are_open_strings_with_the_built_in_ones_as_examples(string pointer, string property)
    {
        var schema = Resolve(pointer).GetProperty("properties").GetProperty(property);
        schema.TryGetProperty("enum", out _).Should().BeFalse("a registered name must not be flagged by an editor");
        schema.GetProperty("type").GetString().Should().Be("string");
        var builtIn = property == "preset" ? DatasetPresets.Names : LossWeightings.Names;
        schema.GetProperty("examples").EnumerateArray().Select(e => e.GetString()).Should().Equal(builtIn);
    }

    [Fact]
    public async Task The_sample_experiment_loads_and_points_at_the_bundled_sample()
    {
        var config = await ExperimentConfigLoader.LoadAsync(Path.Combine(TestPaths.RepositoryRoot, "samples", "experiments", "kuairand-stem-net.json"));
        config.Model.Should().BeOfType<StemNetOptions>();
        config.Training.Epochs.Should().BeLessThanOrEqualTo(2, "the sample is meant to run in seconds");
        File.Exists(config.Data.Train).Should().BeTrue();
        File.Exists(config.Data.Users).Should().BeTrue();
        File.Exists(config.Data.Videos).Should().BeTrue();
    }

    /// <summary>The camelCase names the loader binds: public properties with a setter, not [JsonIgnore]d.</summary>
    private static IEnumerable<string> Bound(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.SetMethod is { IsPublic: true } && p.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.CamelCase.ConvertName(p.Name));

    /// <summary>The properties a schema object declares, including those of the schemas it references.</summary>
    private static IEnumerable<string> Properties(JsonElement schema)
    {
        var names = new HashSet<string>();
        void Collect(JsonElement s)
        {
            if (s.TryGetProperty("properties", out var properties))
            {
                names.UnionWith(properties.EnumerateObject().Select(p => p.Name));
            }

            if (s.TryGetProperty("$ref", out var reference))
            {
                Collect(Resolve(reference.GetString()!));
            }

            if (s.TryGetProperty("allOf", out var all))
            {
                foreach (var part in all.EnumerateArray())
                {
                    Collect(part);
                }
            }
        }

        Collect(schema);
        return names;
    }

    private static JsonElement Resolve(string pointer)
    {
        var node = Schema;
        foreach (var part in pointer.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            node = node.GetProperty(part);
        }

        return node;
    }
}
