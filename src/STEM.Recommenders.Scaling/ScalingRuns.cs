using System.Text.Json;
using System.Text.Json.Serialization;

namespace STEM.Recommenders.Scaling;

/// <summary>Reads and writes the runs of a scaling study as a JSON array (camelCase properties).</summary>
public static class ScalingRuns
{
    // NaN is allowed because a diverged run still belongs in the record of a study.
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Serialises runs to JSON text.</summary>
    /// <param name="runs">The runs to write.</param>
    /// <returns>An indented JSON array.</returns>
    public static string ToJson(IEnumerable<ScalingRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        return JsonSerializer.Serialize(runs.ToList(), Options);
    }

    /// <summary>Parses runs from JSON text.</summary>
    /// <param name="json">A JSON array of runs.</param>
    /// <param name="source">What the text came from (a file name), used in error messages.</param>
    /// <returns>The runs in file order.</returns>
    /// <exception cref="InvalidDataException">The text is not a JSON array of runs, or a run has no name.</exception>
    public static IReadOnlyList<ScalingRun> FromJson(string json, string source = "<json>")
    {
        ArgumentNullException.ThrowIfNull(json);
        List<ScalingRun?>? runs;
        try
        {
            runs = JsonSerializer.Deserialize<List<ScalingRun?>>(json, Options);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{source}: not a JSON array of scaling runs (line {e.LineNumber + 1}): {e.Message}", e);
        }
        if (runs is null)
        {
            throw new InvalidDataException($"{source}: expected a JSON array of scaling runs, found null.");
        }
        for (var i = 0; i < runs.Count; i++)
        {
            if (runs[i] is null || string.IsNullOrWhiteSpace(runs[i]!.Name))
            {
                throw new InvalidDataException($"{source}: run {i} has no name.");
            }
        }
        return runs!;
    }

    /// <summary>Writes runs to a JSON file, creating its folder.</summary>
    /// <param name="path">The file to write.</param>
    /// <param name="runs">The runs to write.</param>
    public static void Save(string path, IEnumerable<ScalingRun> runs)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        File.WriteAllText(path, ToJson(runs));
    }

    /// <summary>Reads runs from a JSON file written by <see cref="Save"/>.</summary>
    /// <param name="path">The file to read.</param>
    /// <returns>The runs in file order.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not a JSON array of runs.</exception>
    public static IReadOnlyList<ScalingRun> Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Scaling runs file '{path}' does not exist.", path);
        }
        return FromJson(File.ReadAllText(path), path);
    }
}
