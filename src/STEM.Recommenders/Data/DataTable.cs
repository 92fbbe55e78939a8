using System.Text;

namespace STEM.Recommenders.Data;

/// <summary>
/// A table of raw string values, column-major, that remembers where every value came from.
/// It is what readers produce and what a <c>Features.FeaturePipeline</c> (a higher layer) fits and encodes;
/// row selections and left joins are views that copy no values.
/// </summary>
public sealed class DataTable
{
    private readonly Dictionary<string, DataColumn> _byName;
    private readonly long[] _rowLines;

    internal DataTable(string source, IReadOnlyList<DataColumn> columns, long[] rowLines)
    {
        Source = source;
        Columns = columns;
        _rowLines = rowLines;
        RowCount = rowLines.Length;
        _byName = new Dictionary<string, DataColumn>(StringComparer.Ordinal);
        foreach (var column in columns)
        {
            if (column.Count != RowCount)
            {
                throw new ArgumentException($"Column '{column.Name}' has {column.Count} rows, the table {RowCount}.", nameof(columns));
            }

            if (!_byName.TryAdd(column.Name, column))
            {
                throw new DataFormatException(new SourceLocation(source, 1, column.Name), $"column '{column.Name}' appears more than once");
            }
        }
    }

    /// <summary>The file (or a description of the in-memory source) the rows came from.</summary>
    public string Source { get; }

    /// <summary>Number of rows.</summary>
    public int RowCount { get; }

    /// <summary>The columns, in file order (joined columns after the left table's).</summary>
    public IReadOnlyList<DataColumn> Columns { get; }

    /// <summary>The column names, in order.</summary>
    public IEnumerable<string> ColumnNames => Columns.Select(c => c.Name);

    /// <summary>Whether the table has a column of that name.</summary>
    public bool HasColumn(string name) => _byName.ContainsKey(name);

    /// <summary>The column of that name.</summary>
    /// <exception cref="DataFormatException">The table has no such column; the message lists the columns it has.</exception>
    public DataColumn Column(string name)
    {
        if (_byName.TryGetValue(name, out var column))
        {
            return column;
        }

        var available = string.Join(", ", Columns.Select(c => c.Name));
        throw new DataFormatException(new SourceLocation(Source, 1, name), $"column '{name}' not found; the table has: {available}");
    }

    /// <summary>The file and line where a row's record starts.</summary>
    public SourceLocation LocationOf(int row) => new(Source, _rowLines[row], null);

    /// <summary>Builds an in-memory table, for generated data and for scoring rows that did not come from a file.</summary>
    /// <param name="source">A description used in error messages in place of a file name.</param>
    /// <param name="columns">Column name → values; all arrays must have the same length.</param>
    public static DataTable FromColumns(string source, IReadOnlyList<KeyValuePair<string, string?[]>> columns) =>
        FromColumns(source, columns, firstLine: 1);

    /// <summary>
    /// Builds an in-memory table whose rows are numbered from <paramref name="firstLine"/>: a chunk of a
    /// larger file (a Parquet row group) keeps the row numbers of the file in its error messages.
    /// </summary>
    /// <param name="source">A description used in error messages in place of a file name.</param>
    /// <param name="columns">Column name → values; all arrays must have the same length.</param>
    /// <param name="firstLine">The line (or row) number of the first row.</param>
    public static DataTable FromColumns(string source, IReadOnlyList<KeyValuePair<string, string?[]>> columns, long firstLine)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var rows = columns.Count == 0 ? 0 : columns[0].Value.Length;
        var lines = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            lines[i] = firstLine + i;
        }

        var built = columns.Select(c => new DataColumn(c.Key, source, c.Value, lines, null)).ToArray();
        return new DataTable(source, built, lines);
    }

    /// <summary>
    /// Builds a table from dictionary-encoded columns (each a column's distinct values and a code per
    /// row), whose rows are numbered from <paramref name="firstLine"/>. Whatever the pipeline derives
    /// from a value — an id, a number, a label — it derives once per distinct value.
    /// </summary>
    /// <param name="source">The file the rows came from (or a description), used in error messages.</param>
    /// <param name="columns">The columns; all must have the same number of rows.</param>
    /// <param name="firstLine">The line (or row) number of the first row.</param>
    /// <exception cref="ArgumentException">The columns' row counts differ.</exception>
    /// <exception cref="DataFormatException">Two columns have the same name.</exception>
    public static DataTable FromDictionaryColumns(string source, IReadOnlyList<DictionaryColumn> columns, long firstLine = 1)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(columns);
        var rows = columns.Count == 0 ? 0 : columns[0].RowCount;
        var lines = new long[rows];
        for (var i = 0; i < rows; i++)
        {
            lines[i] = firstLine + i;
        }

        var built = columns.Select(c => new DataColumn(c.Name, source, c.Store(), c.Codes, lines, null)).ToArray();
        return new DataTable(source, built, lines);
    }

    /// <summary>The rows at the given positions, in that order (a view; no values are copied).</summary>
    public DataTable Select(IReadOnlyList<int> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var map = rows.ToArray();
        var lines = new long[map.Length];
        for (var i = 0; i < map.Length; i++)
        {
            if ((uint)map[i] >= (uint)RowCount)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {map[i]} is outside the table's {RowCount} rows.");
            }

            lines[i] = _rowLines[map[i]];
        }

        var composed = new Dictionary<int[], int[]>(ReferenceEqualityComparer.Instance);
        return new DataTable(Source, Columns.Select(c => c.Remap(map, composed)).ToArray(), lines);
    }

    /// <summary>The rows for which <paramref name="predicate"/> holds (a view).</summary>
    public DataTable Where(Func<int, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        var rows = new List<int>();
        for (var i = 0; i < RowCount; i++)
        {
            if (predicate(i))
            {
                rows.Add(i);
            }
        }

        return Select(rows);
    }

    /// <summary>
    /// Left-joins a side table: every row of this table is kept, and the side table's columns (all
    /// but its key) are appended with the matching side row's values, or missing values where no
    /// side row matches.
    /// </summary>
    /// <param name="side">The side table (user features, item features).</param>
    /// <param name="key">The key column in this table.</param>
    /// <param name="sideKey">The key column in the side table; defaults to <paramref name="key"/>.</param>
    /// <param name="columns">The side columns to append; <see langword="null"/> appends all but the key.</param>
    /// <exception cref="DataFormatException">
    /// A key column is missing, the side table has a duplicate key (the message names both lines),
    /// or an appended column's name is already taken.
    /// </exception>
    public DataTable LeftJoin(DataTable side, string key, string? sideKey = null, IReadOnlyCollection<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(side);
        return LeftJoin(side.IndexBy(sideKey ?? key), key, columns);
    }

    /// <summary>
    /// Indexes this table by a key column, once, for many <see cref="LeftJoin(TableIndex, string, IReadOnlyCollection{string}?)"/>
    /// calls: a log streamed in chunks joins every chunk to the same side table.
    /// </summary>
    /// <exception cref="DataFormatException">The key column is missing, or a key appears twice (the message names both lines).</exception>
    public TableIndex IndexBy(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var keys = Column(key);
        var index = new Dictionary<string, int>(RowCount, StringComparer.Ordinal);
        for (var r = 0; r < RowCount; r++)
        {
            var value = keys[r];
            if (value is null)
            {
                continue;
            }

            if (!index.TryAdd(value, r))
            {
                var first = keys.LocationOf(index[value]);
                throw new DataFormatException(keys.LocationOf(r), $"duplicate key '{value}' in side table (first seen on line {first.Line})");
            }
        }

        return new TableIndex(this, key, index);
    }

    /// <summary>Left-joins an indexed side table (see <see cref="LeftJoin(DataTable, string, string?, IReadOnlyCollection{string}?)"/>).</summary>
    /// <param name="side">The side table's index.</param>
    /// <param name="key">The key column in this table.</param>
    /// <param name="columns">The side columns to append; <see langword="null"/> appends all but the key.</param>
    public DataTable LeftJoin(TableIndex side, string key, IReadOnlyCollection<string>? columns = null)
    {
        ArgumentNullException.ThrowIfNull(side);
        var sideKey = side.Key;
        var index = side.Rows;
        var leftKeys = Column(key);
        var map = new int[RowCount];
        var memo = leftKeys.SharesValues ? side.RowsByCode.For(leftKeys) : null;
        for (var i = 0; i < RowCount; i++)
        {
            var code = leftKeys.CodeOf(i);
            if (code < 0)
            {
                map[i] = -1;
            }
            else if (memo is not null && memo[code] != 0)
            {
                // Stored as side row + 1, or -1 for a key with no side row.
                map[i] = memo[code] > 0 ? memo[code] - 1 : -1;
            }
            else
            {
                map[i] = index.TryGetValue(leftKeys[i]!, out var r) ? r : -1;
                if (memo is not null)
                {
                    memo[code] = map[i] >= 0 ? map[i] + 1 : -1;
                }
            }
        }

        var appended = new List<DataColumn>(Columns);
        var table = side.Table;
        var wanted = columns ?? table.Columns.Select(c => c.Name).Where(n => n != sideKey).ToArray();
        foreach (var name in wanted)
        {
            if (HasColumn(name))
            {
                throw new DataFormatException(new SourceLocation(table.Source, 1, name), $"column '{name}' of the side table is already a column of {Source}; select or rename it");
            }

            appended.Add(table.Column(name).Remap(map));
        }

        return new DataTable(Source, appended, _rowLines);
    }

    /// <summary>
    /// Appends columns whose every value is missing (a side table that was not supplied): their
    /// fields then encode to OOV, as an unmatched join would.
    /// </summary>
    public DataTable WithMissingColumns(IEnumerable<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var columns = new List<DataColumn>(Columns);
        var none = new int[RowCount];
        Array.Fill(none, -1);
        foreach (var name in names)
        {
            columns.Add(new DataColumn(name, "(not supplied)", [], [], none));
        }

        return new DataTable(Source, columns, _rowLines);
    }

    /// <summary>A short description: source, rows and columns.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(Source).Append(": ").Append(RowCount).Append(" rows × ").Append(Columns.Count).Append(" columns");
        return text.ToString();
    }
}
