using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace STEM.Recommenders.Data;

/// <summary>
/// Records the chunks of a streamed read as they pass by, so that a second pass over the same file
/// replays them instead of reading, decompressing and parsing the file again: the dictionary-encoded
/// columns are only codes (4 bytes a value) over dictionaries that stay in memory anyway, written to
/// a scratch file. A replayed chunk has the same columns, dictionaries, codes and lines as the chunk
/// that was read, so fitting or encoding it gives the same result and the same errors.
/// </summary>
/// <remarks>
/// Only chunks whose every column is a reader's dictionary-encoded column can be recorded (CSV and
/// TSV, whose dictionaries grow with the file); any other chunk (a Parquet row group, whose
/// dictionaries are its own, a joined view) stops the recording, and
/// <see cref="IsComplete"/> stays false so that the caller reads the file again instead.
/// </remarks>
internal sealed class ChunkRecording : IDisposable
{
    private readonly string _path;
    private readonly List<Entry> _entries = new();
    private bool _recordable = true;

    public ChunkRecording(string path)
    {
        _path = path;
    }

    /// <summary>Whether a whole pass was recorded and can be replayed.</summary>
    public bool IsComplete { get; private set; }

    /// <summary>Yields the chunks of <paramref name="source"/>, recording each.</summary>
    public async IAsyncEnumerable<DataTable> RecordAsync(IAsyncEnumerable<DataTable> source, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        _entries.Clear();
        IsComplete = false;
        _recordable = true;
        await using var file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        await foreach (var chunk in source.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (_recordable)
            {
                _recordable = Append(file, chunk);
            }

            yield return chunk;
        }

        await file.FlushAsync(cancellationToken).ConfigureAwait(false);
        IsComplete = _recordable;
    }

    /// <summary>The recorded chunks, in order.</summary>
    public async IAsyncEnumerable<DataTable> ReplayAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (!IsComplete)
        {
            throw new InvalidOperationException("Only a complete recording can be replayed.");
        }

        await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        foreach (var entry in _entries)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Read(file, entry);
        }
    }

    public void Dispose()
    {
        _entries.Clear();
        IsComplete = false;
        try
        {
            File.Delete(_path);
        }
        catch (IOException)
        {
            // Scratch space: a file that cannot be removed now is removed with its directory.
        }
    }

    private bool Append(FileStream file, DataTable chunk)
    {
        var columns = chunk.Columns;
        if (columns.Any(c => !c.IsDirect || c.Codes is null || c.Store is not ValueDictionary))
        {
            return false;
        }

        var rows = chunk.RowCount;
        var lines = rows == 0 ? [] : columns.Count > 0 ? columns[0].Lines : LinesOf(chunk);
        var firstLine = rows == 0 ? 0 : lines[0];
        var consecutive = true;
        for (var r = 0; r < rows && consecutive; r++)
        {
            consecutive = lines[r] == firstLine + r;
        }

        foreach (var column in columns)
        {
            file.Write(MemoryMarshal.AsBytes(column.Codes.AsSpan(0, rows)));
        }

        if (!consecutive)
        {
            // A quoted line break makes a record span lines; then every record's line is kept.
            file.Write(MemoryMarshal.AsBytes(lines.AsSpan(0, rows)));
        }

        _entries.Add(new Entry(
            chunk.Source,
            rows,
            firstLine,
            consecutive,
            columns.Select(c => (c.Name, c.Path, (ValueDictionary)c.Store)).ToArray()));
        return true;
    }

    private static long[] LinesOf(DataTable chunk)
    {
        var lines = new long[chunk.RowCount];
        for (var r = 0; r < lines.Length; r++)
        {
            lines[r] = chunk.LocationOf(r).Line ?? 0;
        }

        return lines;
    }

    private static DataTable Read(FileStream file, Entry entry)
    {
        var codes = new int[entry.Columns.Length][];
        for (var k = 0; k < codes.Length; k++)
        {
            codes[k] = new int[entry.Rows];
            file.ReadExactly(MemoryMarshal.AsBytes(codes[k].AsSpan()));
        }

        var lines = new long[entry.Rows];
        if (entry.Consecutive)
        {
            for (var r = 0; r < lines.Length; r++)
            {
                lines[r] = entry.FirstLine + r;
            }
        }
        else
        {
            file.ReadExactly(MemoryMarshal.AsBytes(lines.AsSpan()));
        }

        var columns = new DataColumn[codes.Length];
        for (var k = 0; k < codes.Length; k++)
        {
            var (name, path, store) = entry.Columns[k];
            columns[k] = new DataColumn(name, path, store, codes[k], lines, null);
        }

        return new DataTable(entry.Source, columns, lines);
    }

    private sealed record Entry(string Source, int Rows, long FirstLine, bool Consecutive, (string Name, string Path, ValueDictionary Store)[] Columns);
}
