using System.Text.Json;
using System.Text.Json.Serialization;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.EncodedData;

/// <summary>
/// What an <see cref="EncodedCache"/> directory holds (its <c>manifest.json</c>): the pipeline that
/// encoded it, the source files it was built from, the layout, and its shards.
/// </summary>
public sealed record EncodedCacheManifest
{
    /// <summary>The manifest's file name inside a cache directory.</summary>
    public const string FileName = "manifest.json";

    /// <summary>Version of the cache format written by this library.</summary>
    public const int CurrentFormatVersion = 1;

    internal static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    /// <summary>Format version.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>Content hash of the feature pipeline that encoded the rows.</summary>
    public required string PipelineHash { get; init; }

    /// <summary>Which split the rows are.</summary>
    public DatasetRole Role { get; init; }

    /// <summary>Task names, in label-column order.</summary>
    public required IReadOnlyList<string> TaskNames { get; init; }

    /// <summary>The fields of the layout, task-specific ones first (as <see cref="FeatureLayout.Fields"/>).</summary>
    public required IReadOnlyList<FieldLayout> Fields { get; init; }

    /// <summary>Bytes per stored id: 4 when the id space fits an int32, else 8.</summary>
    public int IdBytes { get; init; } = 4;

    /// <summary>Slots whose weights are stored; every other slot has weight 1.</summary>
    public required IReadOnlyList<int> WeightSlots { get; init; }

    /// <summary>Whether some label is missing (the mask files are then read).</summary>
    public bool HasLabelMask { get; init; }

    /// <summary>Whether group ids are stored (and <c>group-keys.json</c> holds the keys).</summary>
    public bool HasGroups { get; init; }

    /// <summary>Total number of rows.</summary>
    public long RowCount { get; init; }

    /// <summary>The shards in storage order.</summary>
    public required IReadOnlyList<EncodedCacheShard> Shards { get; init; }

    /// <summary>The files the rows were read from, with their sizes and times when the cache was built.</summary>
    public required IReadOnlyList<SourceFileStamp> Sources { get; init; }

    /// <summary>Bytes of encoded data per row on disk (ids, weights, labels, masks, groups).</summary>
    [JsonIgnore]
    public int BytesPerRow =>
        (Fields.Sum(f => f.SlotCount) * IdBytes) + (WeightSlots.Count * 4) + (TaskNames.Count * 2) + (HasGroups ? 4 : 0);

    internal static EncodedCacheManifest Read(string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, Directory.Exists(directory) ? "not an encoded cache (no manifest.json)" : "the cache directory does not exist");
        }

        EncodedCacheManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<EncodedCacheManifest>(File.ReadAllText(path), Json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(new SourceLocation(path, (e.LineNumber ?? 0) + 1, e.Path), $"invalid cache manifest: {e.Message}");
        }

        if (manifest is null)
        {
            throw new DataFormatException(path, "the cache manifest is empty");
        }

        if (manifest.FormatVersion != CurrentFormatVersion)
        {
            throw new DataFormatException(path, $"cache format version {manifest.FormatVersion} is not supported (this library reads version {CurrentFormatVersion}); rebuild the cache");
        }

        if (manifest.IdBytes is not (4 or 8) || manifest.Shards.Sum(s => s.Rows) != manifest.RowCount || manifest.Fields.Count == 0)
        {
            throw new DataFormatException(path, "the cache manifest is inconsistent (id width, shard rows or fields); rebuild the cache");
        }

        return manifest;
    }
}
