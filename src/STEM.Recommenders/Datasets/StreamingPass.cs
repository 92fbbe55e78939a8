using System.Runtime.CompilerServices;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Datasets;

/// <summary>
/// One pass of a <see cref="StreamingSplits"/> over its rows. A cache build makes two passes (fit,
/// then encode); a preset wraps each file read of a pass in <see cref="Reuse"/>, so that the first
/// pass records what the reader parsed and the second replays it instead of reading, decompressing
/// and parsing the file again.
/// </summary>
public sealed class StreamingPass
{
    private readonly Dictionary<string, ChunkRecording>? _recordings;
    private readonly string? _scratch;

    internal StreamingPass(int number, string? scratch, Dictionary<string, ChunkRecording>? recordings)
    {
        Number = number;
        _scratch = scratch;
        _recordings = recordings;
    }

    /// <summary>A pass that records nothing (a single read of the rows).</summary>
    public static StreamingPass Once { get; } = new(1, null, null);

    /// <summary>1 for the first pass, 2 for the second.</summary>
    public int Number { get; }

    /// <summary>
    /// The chunks of one file read: on the first pass they are read and recorded; on a later pass
    /// they are replayed when the first pass recorded them whole (CSV and TSV), and read again otherwise.
    /// </summary>
    /// <param name="key">Names the read within the pass (for example the file's path).</param>
    /// <param name="read">Reads the file.</param>
    /// <param name="cancellationToken">Stops the read.</param>
    public async IAsyncEnumerable<DataTable> Reuse(string key, Func<CancellationToken, IAsyncEnumerable<DataTable>> read, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(read);
        IAsyncEnumerable<DataTable> chunks;
        if (_recordings is null || _scratch is null)
        {
            chunks = read(cancellationToken);
        }
        else if (_recordings.TryGetValue(key, out var recording) && Number > 1 && recording.IsComplete)
        {
            chunks = recording.ReplayAsync(cancellationToken);
        }
        else if (Number == 1)
        {
            Directory.CreateDirectory(_scratch);
            recording = new ChunkRecording(Path.Combine(_scratch, $"{_recordings.Count}.codes"));
            _recordings[key] = recording;
            chunks = recording.RecordAsync(read(cancellationToken), cancellationToken);
        }
        else
        {
            chunks = read(cancellationToken);
        }

        await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return chunk;
        }
    }
}
