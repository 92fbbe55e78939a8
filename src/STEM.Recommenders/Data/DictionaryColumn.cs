namespace STEM.Recommenders.Data;

/// <summary>
/// One dictionary-encoded column for <see cref="DataTable.FromDictionaryColumns"/>: its distinct
/// values and, per row, the index of the row's value among them (-1: missing). A reader of a typed
/// or columnar format (Parquet, Arrow) formats each distinct value once instead of once per row,
/// and the pipeline then derives ids, numbers and labels once per distinct value too.
/// </summary>
public sealed class DictionaryColumn
{
    private readonly string[] _values;
    private readonly int[] _codes;

    /// <param name="name">The column's name.</param>
    /// <param name="values">The distinct values, none null and none repeated (a missing value is code -1, an empty value is not stored).</param>
    /// <param name="codes">Per row, the index of its value in <paramref name="values"/>, or -1 when the row has no value. Held, not copied: do not change it afterwards.</param>
    /// <exception cref="ArgumentException">The name is empty, a value is null, empty or repeated, or a code is outside [-1, values.Count).</exception>
    public DictionaryColumn(string name, IReadOnlyList<string> values, int[] codes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(codes);
        _values = [.. values];
        var seen = new HashSet<string>(_values.Length, StringComparer.Ordinal);
        for (var i = 0; i < _values.Length; i++)
        {
            if (string.IsNullOrEmpty(_values[i]))
            {
                throw new ArgumentException($"Column '{name}': value {i} is {(_values[i] is null ? "null" : "empty")}; a missing value is code -1.", nameof(values));
            }

            if (!seen.Add(_values[i]))
            {
                throw new ArgumentException($"Column '{name}': the value '{_values[i]}' appears twice; values must be distinct.", nameof(values));
            }
        }

        for (var row = 0; row < codes.Length; row++)
        {
            if (codes[row] < -1 || codes[row] >= _values.Length)
            {
                throw new ArgumentException($"Column '{name}': row {row} has code {codes[row]}, outside [-1, {_values.Length}).", nameof(codes));
            }
        }

        Name = name;
        _codes = codes;
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount => _codes.Length;

    /// <summary>The number of distinct values.</summary>
    public int ValueCount => _values.Length;

    internal ValueStore Store() => new DistinctValueStore(_values);

    internal int[] Codes => _codes;
}
