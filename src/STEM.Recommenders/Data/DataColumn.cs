namespace STEM.Recommenders.Data;

/// <summary>
/// One column of raw values, as read from a file, with the ability to say where each value came
/// from. Files are read dictionary-encoded: each row holds a code into the column's distinct
/// values, so a value repeated a million times is one string, and whatever is derived from it is
/// derived once. Columns of joined tables point into their side table's storage, so a join copies
/// no values and an error still names the side table's file and line.
/// </summary>
public sealed class DataColumn
{
    private readonly ValueStore _store;
    private readonly int[]? _codes;
    private readonly int _stride;
    private readonly int _offset;
    private readonly int _storedCount;
    private readonly long[] _lines;
    private readonly int[]? _rowMap;

    internal DataColumn(string name, string path, string?[] values, long[] lines, int[]? rowMap)
        : this(name, path, new ArrayValueStore(values), null, lines, rowMap)
    {
    }

    /// <param name="name">The column's name.</param>
    /// <param name="path">The file it was read from.</param>
    /// <param name="store">The values codes refer to.</param>
    /// <param name="codes">Per stored row, the code of its value (-1: missing); null when stored row i has code i.</param>
    /// <param name="lines">Per stored row, its line in <paramref name="path"/>.</param>
    /// <param name="rowMap">Row → stored row (-1: missing), or null when rows are the stored rows.</param>
    internal DataColumn(string name, string path, ValueStore store, int[]? codes, long[] lines, int[]? rowMap)
        : this(name, path, store, codes, 1, 0, codes?.Length ?? store.Count, lines, rowMap)
    {
    }

    /// <summary>A column whose codes are one column of a row-major matrix shared by a table's columns.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="path">The file it was read from.</param>
    /// <param name="store">The values codes refer to.</param>
    /// <param name="codes">Stored row i's code is <c>codes[i * stride + offset]</c> (-1: missing).</param>
    /// <param name="stride">Codes per stored row (the matrix's columns).</param>
    /// <param name="offset">This column's place in a row.</param>
    /// <param name="storedCount">Number of stored rows.</param>
    /// <param name="lines">Per stored row, its line in <paramref name="path"/>.</param>
    /// <param name="rowMap">Row → stored row (-1: missing), or null when rows are the stored rows.</param>
    internal DataColumn(string name, string path, ValueStore store, int[]? codes, int stride, int offset, int storedCount, long[] lines, int[]? rowMap)
    {
        Name = name;
        Path = path;
        _store = store;
        _codes = codes;
        _stride = stride;
        _offset = offset;
        _storedCount = storedCount;
        _lines = lines;
        _rowMap = rowMap;
        Count = rowMap?.Length ?? storedCount;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>The file the values were read from.</summary>
    public string Path { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>The raw value of a row; <see langword="null"/> when the row has no value (an empty field, an unmatched join).</summary>
    public string? this[int row]
    {
        get
        {
            var code = CodeOf(row);
            return code < 0 ? null : _store[code];
        }
    }

    /// <summary>The file, line and column name of a row's value.</summary>
    public SourceLocation LocationOf(int row)
    {
        var stored = _rowMap is null ? row : _rowMap[row];
        return stored < 0 ? new SourceLocation(Path, null, Name) : new SourceLocation(Path, _lines[stored], Name);
    }

    /// <summary>The code of a row's value in <see cref="Store"/>; -1 when the row has no value.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal int CodeOf(int row)
    {
        var stored = _rowMap is null ? row : _rowMap[row];
        if (stored < 0)
        {
            return -1;
        }

        if (_codes is not null)
        {
            return _codes[(stored * _stride) + _offset];
        }

        // One value per stored row (a table built in memory): its null is a missing value.
        return _store[stored] is null ? -1 : stored;
    }

    /// <summary>The distinct values codes refer to (a file's dictionary, or a side table's column).</summary>
    internal ValueStore Store => _store;

    /// <summary>
    /// Per stored row, its code, one after another; null when stored row i has code i, or when the
    /// codes are a column of a row-major matrix (a whole file's table, see <c>CsvTableReader</c>).
    /// </summary>
    internal int[]? Codes => _stride == 1 ? _codes : null;

    /// <summary>Per stored row, its line in <see cref="Path"/>.</summary>
    internal long[] Lines => _lines;

    /// <summary>Whether rows are the stored rows (no join or selection in between).</summary>
    internal bool IsDirect => _rowMap is null;

    /// <summary>
    /// Whether a memo per code pays off: the store is a dictionary, or a view (a join) maps many rows
    /// onto the same stored rows.
    /// </summary>
    internal bool SharesValues => _store.IsShared || _rowMap is not null;

    /// <summary>A column whose row i is this column's row <c>rows[i]</c> (-1 gives a missing value).</summary>
    /// <param name="rows">The rows to take.</param>
    /// <param name="composed">
    /// Maps already composed with <paramref name="rows"/>, by the map they were composed from: the
    /// columns of one joined side table share one map, so a selection composes it once for all of them.
    /// </param>
    internal DataColumn Remap(int[] rows, Dictionary<int[], int[]>? composed = null)
    {
        if (_rowMap is null)
        {
            return With(rows);
        }

        if (composed is null || !composed.TryGetValue(_rowMap, out var map))
        {
            map = new int[rows.Length];
            for (var i = 0; i < rows.Length; i++)
            {
                map[i] = rows[i] < 0 ? -1 : _rowMap[rows[i]];
            }

            composed?.Add(_rowMap, map);
        }

        return With(map);
    }

    /// <summary>
    /// The column's storage as rows of its own (a joined column's whole side-table column, with the
    /// side table's lines), so that a side table is validated on every row, not only on joined ones.
    /// </summary>
    internal DataColumn Stored() => _rowMap is null ? this : With(null);

    internal DataColumn Rename(string name) => new(name, Path, _store, _codes, _stride, _offset, _storedCount, _lines, _rowMap);

    private DataColumn With(int[]? rowMap) => new(Name, Path, _store, _codes, _stride, _offset, _storedCount, _lines, rowMap);
}
