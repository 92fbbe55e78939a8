namespace STEM.Recommenders.Data;

/// <summary>
/// Picks a reader for a file by asking each registered <see cref="ITableReader"/> in turn.
/// CSV and TSV (optionally gzipped) are built in; the STEM.Recommenders.Parquet package adds Parquet.
/// </summary>
public sealed class TableReaderRegistry
{
    private readonly List<ITableReader> _readers = new();

    /// <summary>A registry that reads CSV and TSV.</summary>
    public static TableReaderRegistry CreateDefault() => new TableReaderRegistry().Add(new CsvTableReader());

    /// <summary>Adds a reader; readers added later win over earlier ones.</summary>
    public TableReaderRegistry Add(ITableReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _readers.Insert(0, reader);
        return this;
    }

    /// <summary>The readers, in the order they are asked.</summary>
    public IReadOnlyList<ITableReader> Readers => _readers;

    /// <summary>Reads a file with the first reader that accepts it.</summary>
    /// <exception cref="DataFormatException">No reader accepts the file, or it is malformed.</exception>
    public Task<DataTable> ReadAsync(string path, TableReadRequest? request = null, CancellationToken cancellationToken = default) =>
        ReaderFor(path).ReadAsync(path, request, cancellationToken);

    /// <summary>Streams a file in chunks of about <paramref name="chunkRows"/> rows with the first reader that accepts it.</summary>
    /// <exception cref="DataFormatException">No reader accepts the file, or it is malformed.</exception>
    public IAsyncEnumerable<DataTable> ReadChunksAsync(string path, TableReadRequest? request = null, int chunkRows = TableReadRequest.DefaultChunkRows, CancellationToken cancellationToken = default) =>
        ReaderFor(path).ReadChunksAsync(path, request, chunkRows, cancellationToken);

    /// <summary>Whether some registered reader handles the file.</summary>
    public bool CanRead(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return _readers.Any(r => r.CanRead(path));
    }

    /// <summary>
    /// The files a source names, in a stable order: a file is itself; a directory is every file under
    /// it (recursively, as a partitioned dataset such as <c>date=2022-04-25/part-0.parquet</c> is laid
    /// out) that a registered reader handles; a glob (<c>*</c>, <c>?</c>, <c>**</c>) is every such file
    /// it matches. Names starting with <c>_</c> or <c>.</c> (<c>_SUCCESS</c>, <c>.crc</c> files,
    /// <c>_temporary/</c>) are skipped in both. Files are sorted by path (ordinal), so that every
    /// process sees the same list.
    /// </summary>
    /// <exception cref="DataFormatException">Nothing matches, or a directory holds no readable file.</exception>
    public IReadOnlyList<string> ExpandSources(string source) => TableSources.Expand(source, CanRead);

    private ITableReader ReaderFor(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var reader in _readers)
        {
            if (reader.CanRead(path))
            {
                return reader;
            }
        }

        throw new DataFormatException(path, "no reader for this file type; use .csv, .tsv (optionally .gz) or add a reader such as ParquetTableReader");
    }
}
