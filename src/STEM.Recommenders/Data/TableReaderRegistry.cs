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
    public Task<DataTable> ReadAsync(string path, TableReadRequest? request = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        foreach (var reader in _readers)
        {
            if (reader.CanRead(path))
            {
                return reader.ReadAsync(path, request, cancellationToken);
            }
        }

        throw new DataFormatException(path, "no reader for this file type; use .csv, .tsv (optionally .gz) or add a reader such as ParquetTableReader");
    }
}
