namespace STEM.Recommenders.Data;

/// <summary>A side table indexed by its key column (see <see cref="DataTable.IndexBy"/>), ready to be joined many times.</summary>
public sealed class TableIndex
{
    internal TableIndex(DataTable table, string key, Dictionary<string, int> rows)
    {
        Table = table;
        Key = key;
        Rows = rows;
    }

    /// <summary>The indexed table.</summary>
    public DataTable Table { get; }

    /// <summary>The key column.</summary>
    public string Key { get; }

    internal Dictionary<string, int> Rows { get; }

    /// <summary>The side row of each code of a joining key column (a streamed log's key dictionary).</summary>
    internal CodeMemo RowsByCode { get; } = new();
}
