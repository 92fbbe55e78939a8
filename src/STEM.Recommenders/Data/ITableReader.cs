namespace STEM.Recommenders.Data;

/// <summary>Reads one kind of file into a <see cref="DataTable"/>.</summary>
public interface ITableReader
{
    /// <summary>Whether this reader handles the file (usually by its extension).</summary>
    bool CanRead(string path);

    /// <summary>Reads the file.</summary>
    /// <exception cref="DataFormatException">The file is missing or malformed.</exception>
    Task<DataTable> ReadAsync(string path, TableReadRequest? request = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Reads the file as a sequence of tables of about <paramref name="chunkRows"/> rows each, so that a
    /// file larger than memory can be streamed. Every chunk keeps the file's line (or row) numbers, so
    /// errors name the same place as a whole-file read. The first chunk is yielded even when the file has
    /// no rows (it carries the columns); no later chunk is empty.
    /// </summary>
    /// <remarks>The default reads the whole file and yields it as one chunk; the built-in readers stream.</remarks>
    /// <exception cref="DataFormatException">The file is missing or malformed.</exception>
    async IAsyncEnumerable<DataTable> ReadChunksAsync(
        string path,
        TableReadRequest? request = null,
        int chunkRows = TableReadRequest.DefaultChunkRows,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        yield return await ReadAsync(path, request, cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>What a caller needs from a file, so that readers can skip the rest.</summary>
/// <param name="Columns">Columns to keep, or <see langword="null"/> for all.</param>
public sealed record TableReadRequest(IReadOnlyCollection<string>? Columns = null)
{
    /// <summary>The chunk size of streaming reads when the caller does not choose one.</summary>
    public const int DefaultChunkRows = 1 << 16;
}
