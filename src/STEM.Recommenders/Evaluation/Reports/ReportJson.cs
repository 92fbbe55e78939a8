using System.Text.Json;
using System.Text.Json.Serialization;

namespace STEM.Recommenders.Evaluation.Reports;

/// <summary>The JSON settings of every report this library writes (metrics.json, comparison JSON).</summary>
public static class ReportJson
{
    /// <summary>camelCase, indented, NaN written as "NaN" (an undefined AUC is not an error).</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>Serialises a report.</summary>
    public static string Serialize<T>(T report) => JsonSerializer.Serialize(report, Options);
}
