using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;
using STEM.Recommenders.Data;
using STEM.Recommenders.Evaluation;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// The state file of one <c>stem evaluate --shard i/n --state-output FILE</c>: which model, which
/// shard of how many input files, and one <see cref="EvaluationState"/> per input file of the shard.
/// Per-file states let a merge print the per-file tables of a single-machine run as well as the
/// combined one.
/// </summary>
internal sealed record EvaluationStateDocument
{
    public const string FormatName = "stem-evaluation-state";
    public const int CurrentVersion = 1;

    public required string Format { get; init; }

    public required int FormatVersion { get; init; }

    /// <summary>The --model path of the run, which the merged report shows as a single run would.</summary>
    public required string Model { get; init; }

    public required string ModelName { get; init; }

    /// <summary>With the name, tells two artifacts of the same model apart.</summary>
    public required DateTimeOffset ModelCreatedUtc { get; init; }

    public required IReadOnlyList<string> Tasks { get; init; }

    public required string Shard { get; init; }

    /// <summary>The length of the whole input list, which a merge must cover.</summary>
    public required int InputFiles { get; init; }

    public required IReadOnlyList<EvaluationStateEntry> Files { get; init; }
}

/// <summary>One input file's state.</summary>
internal sealed record EvaluationStateEntry
{
    public required int Index { get; init; }

    public required string Path { get; init; }

    public required long Rows { get; init; }

    public required EvaluationState State { get; init; }
}

/// <summary>Writes and reads <see cref="EvaluationStateDocument"/>s; a damaged or foreign file is an error naming it.</summary>
internal static class EvaluationStateFile
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public static Task WriteAsync(string path, EvaluationStateDocument document, CancellationToken cancellationToken) =>
        AtomicFile.WriteAsync(path, async stream =>
        {
            try
            {
                if (ScoreWriter.IsGzip(path))
                {
                    await using var gzip = new GZipStream(stream, CompressionLevel.Optimal, leaveOpen: true);
                    await JsonSerializer.SerializeAsync(gzip, document, Options, cancellationToken);
                }
                else
                {
                    await JsonSerializer.SerializeAsync(stream, document, Options, cancellationToken);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException && e is not OutputWriteException)
            {
                throw new OutputWriteException(path, e, removed: true);
            }
        });

    /// <exception cref="DataFormatException">The file is missing, not a state, or inconsistent.</exception>
    public static async Task<EvaluationStateDocument> ReadAsync(string path, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new DataFormatException(path, "file not found");
        }

        EvaluationStateDocument? document;
        await using (var file = File.OpenRead(path))
        {
            // Sniff gzip rather than trust the name, so a renamed file still reads.
            var magic = new byte[2];
            var read = await file.ReadAsync(magic, cancellationToken);
            file.Position = 0;
            Stream stream = read == 2 && magic[0] == 0x1f && magic[1] == 0x8b ? new GZipStream(file, CompressionMode.Decompress) : file;
            try
            {
                document = await JsonSerializer.DeserializeAsync<EvaluationStateDocument>(stream, Options, cancellationToken);
            }
            catch (JsonException e)
            {
                throw new DataFormatException(path, $"not a valid evaluation state: {Describe(e)}");
            }
            catch (InvalidDataException e)
            {
                throw new DataFormatException(path, $"not a valid evaluation state: {e.Message}");
            }
        }

        if (document is null || document.Format != EvaluationStateDocument.FormatName)
        {
            throw new DataFormatException(path, $"not an evaluation state (expected \"format\": \"{EvaluationStateDocument.FormatName}\"; stem evaluate --state-output writes them)");
        }

        if (document.FormatVersion != EvaluationStateDocument.CurrentVersion)
        {
            throw new DataFormatException(path, $"evaluation state version {document.FormatVersion} is not one this stem reads ({EvaluationStateDocument.CurrentVersion})");
        }

        if (ShardSpec.Parse(document.Shard) is not { } shard)
        {
            throw new DataFormatException(path, $"$.shard: '{document.Shard}' is not i/n");
        }

        foreach (var entry in document.Files)
        {
            if (entry.Index < 0 || entry.Index >= document.InputFiles || !shard.Takes(entry.Index))
            {
                throw new DataFormatException(path, $"$.files: input file {entry.Index} ({entry.Path}) is not in shard {shard} of {document.InputFiles} input files");
            }

            if (!entry.State.TaskNames.SequenceEqual(document.Tasks, StringComparer.Ordinal))
            {
                throw new DataFormatException(path, $"$.files: the state of {entry.Path} has tasks {string.Join(", ", entry.State.TaskNames)}, the file {string.Join(", ", document.Tasks)}");
            }
        }

        return document;
    }

    // A converter's message carries the path inside the state ("$.tasks[0]..."); prefix it with
    // where the state sits in the file.
    private static string Describe(JsonException e)
    {
        var message = ErrorReport.OneLine(e.Message);
        return e.Path is { Length: > 1 } path && message.StartsWith('$') && !message.StartsWith(path, StringComparison.Ordinal)
            ? path + message[1..]
            : message;
    }
}
