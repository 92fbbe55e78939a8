namespace STEM.Recommenders.Data;

/// <summary>
/// One column of raw values as strings, as read from a file, with the ability to say where each
/// value came from. Columns of joined tables point into their side table's storage, so a join
/// copies no strings and an error still names the side table's file and line.
/// </summary>
public sealed class DataColumn
{
    private readonly string?[] _values;
    private readonly long[] _lines;
    private readonly int[]? _rowMap;

    internal DataColumn(string name, string path, string?[] values, long[] lines, int[]? rowMap)
    {
        Name = name;
        Path = path;
        _values = values;
        _lines = lines;
        _rowMap = rowMap;
        Count = rowMap?.Length ?? values.Length;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>The file the values were read from.</summary>
    public string Path { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>The raw value of a row; <see langword="null"/> when the row has no value (an unmatched join).</summary>
    public string? this[int row]
    {
        get
        {
            if (_rowMap is null)
            {
                return _values[row];
            }

            var source = _rowMap[row];
            return source < 0 ? null : _values[source];
        }
    }

    /// <summary>The file, line and column name of a row's value.</summary>
    public SourceLocation LocationOf(int row)
    {
        var source = _rowMap is null ? row : _rowMap[row];
        return source < 0 ? new SourceLocation(Path, null, Name) : new SourceLocation(Path, _lines[source], Name);
    }

    /// <summary>A column whose row i is this column's row <c>rows[i]</c> (-1 gives a missing value).</summary>
    internal DataColumn Remap(int[] rows)
    {
        if (_rowMap is null)
        {
            return new DataColumn(Name, Path, _values, _lines, rows);
        }

        var composed = new int[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            composed[i] = rows[i] < 0 ? -1 : _rowMap[rows[i]];
        }

        return new DataColumn(Name, Path, _values, _lines, composed);
    }

    internal DataColumn Rename(string name) => new(name, Path, _values, _lines, _rowMap);

    /// <summary>The storage a view reads from (a side table's whole column for a joined column).</summary>
    internal string?[] SourceValues => _values;

    /// <summary>Row → index into <see cref="SourceValues"/> (-1: missing), or null when rows index it directly.</summary>
    internal int[]? RowMap => _rowMap;
}
