namespace STEM.Recommenders.Data;

/// <summary>Reads one kind of file into a <see cref="DataTable"/>.</summary>
public interface ITableReader
{
    /// <summary>Whether this reader handles the file (usually by its extension).</summary>
    bool CanRead(string path);

    /// <summary>Reads the file.</summary>
    /// <exception cref="DataFormatException">The file is missing or malformed.</exception>
    Task<DataTable> ReadAsync(string path, TableReadRequest? request = null, CancellationToken cancellationToken = default);
}

/// <summary>What a caller needs from a file, so that readers can skip the rest.</summary>
/// <param name="Columns">Columns to keep, or <see langword="null"/> for all.</param>
public sealed record TableReadRequest(IReadOnlyCollection<string>? Columns = null);
