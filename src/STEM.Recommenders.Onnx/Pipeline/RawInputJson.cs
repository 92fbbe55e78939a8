using System.Text.Json;
using System.Text.Json.Serialization;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>The raw inputs as the model's metadata records them (<see cref="OnnxNames.RawInputsKey"/>).</summary>
internal static class RawInputJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    public static string Serialize(IEnumerable<RawInput> inputs) => JsonSerializer.Serialize(inputs.ToArray(), Options);

    /// <exception cref="JsonException">The metadata is not such a list.</exception>
    public static IReadOnlyList<RawInput> Deserialize(string json) =>
        JsonSerializer.Deserialize<RawInput[]>(json, Options) ?? throw new JsonException("null");
}
