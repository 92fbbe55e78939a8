using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Configuration;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// Reads a configuration section into the same immutable option records that experiment.json uses,
/// through System.Text.Json. The configuration binder is not used on purpose: it appends bound
/// list items to a property's default list (ExpertUnits [512, 512, 512] + [64] would become four
/// layers), and it cannot set the polymorphic <see cref="Models.ModelOptions"/>.
/// </summary>
internal static class ConfigurationJson
{
    private static readonly Models.CatalogJsonOptions Settings = new(() => new JsonSerializerOptions(ExperimentConfigLoader.JsonOptions)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new LenientBooleanConverter(), new LenientNullableBooleanConverter() },
    });

    private static JsonSerializerOptions Options => Settings.Current;

    /// <summary>The section as a JSON object: numeric child keys become arrays, values stay strings.</summary>
    public static JsonNode? ToNode(IConfiguration section)
    {
        var children = section.GetChildren().ToArray();
        if (children.Length == 0)
        {
            return section is IConfigurationSection { Value: { } value } ? JsonValue.Create(value) : null;
        }

        if (children.All(c => int.TryParse(c.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            var array = new JsonArray();
            foreach (var child in children.OrderBy(c => int.Parse(c.Key, CultureInfo.InvariantCulture)))
            {
                array.Add(ToNode(child));
            }

            return array;
        }

        var obj = new JsonObject();
        foreach (var child in children)
        {
            obj[child.Key] = ToNode(child);
        }

        return obj;
    }

    /// <summary>Deserialises a node; errors name the configuration path.</summary>
    public static T? Read<T>(JsonNode? node, string path)
    {
        try
        {
            return node is null ? default : node.Deserialize<T>(Options);
        }
        catch (JsonException e)
        {
            var inner = e.Path is { Length: > 1 } p ? path + ":" + string.Join(':', p.TrimStart('$', '.').Split('.', '[').Select(s => s.TrimEnd(']'))) : path;
            throw new ExperimentConfigException("configuration", inner, e.Message.Split(" Path:")[0], e);
        }
    }

    private sealed class LenientBooleanConverter : JsonConverter<bool>
    {
        public override bool Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            JsonTokenType.String when bool.TryParse(reader.GetString(), out var b) => b,
            _ => throw new JsonException($"'{(reader.TokenType == JsonTokenType.String ? reader.GetString() : reader.TokenType.ToString())}' is not true or false."),
        };

        public override void Write(Utf8JsonWriter writer, bool value, JsonSerializerOptions options) => writer.WriteBooleanValue(value);
    }

    private sealed class LenientNullableBooleanConverter : JsonConverter<bool?>
    {
        public override bool? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.Null ? null : new LenientBooleanConverter().Read(ref reader, typeof(bool), options);

        public override void Write(Utf8JsonWriter writer, bool? value, JsonSerializerOptions options)
        {
            if (value is { } b)
            {
                writer.WriteBooleanValue(b);
            }
            else
            {
                writer.WriteNullValue();
            }
        }
    }
}
