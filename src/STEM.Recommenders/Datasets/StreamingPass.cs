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
    private readonly PassRecordings? _recordings;

    internal StreamingPass(int number, PassRecordings? recordings)
    {
        Number = number;
        _recordings = recordings;
    }

    /// <summary>A pass that records nothing (a single read of the rows).</summary>
    public static StreamingPass Once { get; } = new(1, null);

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
        var chunks = _recordings is null ? read(cancellationToken)
            : Number == 1 ? _recordings.Start(key).RecordAsync(read(cancellationToken), cancellationToken)
            : _recordings.Complete(key)?.ReplayAsync(cancellationToken) ?? read(cancellationToken);
        await foreach (var chunk in chunks.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return chunk;
        }
    }
}

/// <summary>
/// The recordings of one cache build's first pass, in a scratch folder that is removed, with them,
/// when the build ends (whether it succeeded or not).
/// </summary>
internal sealed class PassRecordings(string scratch) : IDisposable
{
    private readonly Dictionary<string, ChunkRecording> _byKey = new(StringComparer.Ordinal);

    /// <summary>A new recording for a read of the first pass.</summary>
    public ChunkRecording Start(string key)
    {
        Directory.CreateDirectory(scratch);
        var recording = new ChunkRecording(Path.Combine(scratch, $"{_byKey.Count}.codes"));
        _byKey[key] = recording;
        return recording;
    }

    /// <summary>The first pass's recording of a read, when it recorded the read whole.</summary>
    public ChunkRecording? Complete(string key) => _byKey.TryGetValue(key, out var recording) && recording.IsComplete ? recording : null;

    public void Dispose()
    {
        foreach (var recording in _byKey.Values)
        {
            recording.Dispose();
        }

        if (Directory.Exists(scratch))
        {
            Directory.Delete(scratch, recursive: true);
        }
    }
}
