namespace STEM.Recommenders.Data;

/// <summary>
/// A place in an input file: the path, the 1-based physical line (for CSV, the line where the
/// record starts; for Parquet, the 1-based row) and the column (a header name or a 1-based
/// character position, whichever the reader can give).
/// </summary>
/// <param name="Path">The file's path as it was given to the reader.</param>
/// <param name="Line">1-based line, or <see langword="null"/> when the problem concerns the whole file.</param>
/// <param name="Column">Column name or position, or <see langword="null"/>.</param>
public readonly record struct SourceLocation(string Path, long? Line, string? Column)
{
    /// <inheritdoc />
    public override string ToString()
    {
        if (Line is null)
        {
            return Column is null ? Path : $"{Path}, column {Column}";
        }

        return Column is null ? $"{Path}, line {Line}" : $"{Path}, line {Line}, column {Column}";
    }
}
