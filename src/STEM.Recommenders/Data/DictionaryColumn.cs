namespace STEM.Recommenders.Data;

/// <summary>
/// One dictionary-encoded column for <see cref="DataTable.FromDictionaryColumns"/>: its distinct
/// values and, per row, the index of the row's value among them (-1: missing). A reader of a typed
/// or columnar format (Parquet, Arrow) formats each distinct value once instead of once per row,
/// and the pipeline then derives ids, numbers and labels once per distinct value too. A column of
/// numbers is given typed (<see cref="OfIntegers"/>, <see cref="OfNumbers"/>): numeric features read
/// the numbers as they are, and a text is made only for what needs one (a categorical key, a label).
/// </summary>
public sealed class DictionaryColumn
{
    private readonly string[] _values;
    private readonly long[]? _integers;
    private readonly double[]? _numbers;
    private readonly Func<int, string>? _text;
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

        CheckCodes(name, codes, _values.Length);
        Name = name;
        _codes = codes;
    }

    private DictionaryColumn(string name, long[]? integers, double[]? numbers, Func<int, string>? text, int[] codes)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(codes);
        _values = [];
        _integers = integers;
        _numbers = numbers;
        _text = text;
        CheckCodes(name, codes, integers?.Length ?? numbers!.Length);
        Name = name;
        _codes = codes;
    }

    /// <summary>A column of integers (a Parquet or Arrow integer or boolean column), dictionary-encoded.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="values">The distinct integers, none repeated. Their text, where a categorical feature or a label needs one, is the invariant decimal form (<c>42</c>, <c>-7</c>), as a CSV file holds it.</param>
    /// <param name="codes">Per row, the index of its value in <paramref name="values"/>, or -1 when the row has no value. Held, not copied.</param>
    /// <exception cref="ArgumentException">The name is empty, a value is repeated, or a code is outside [-1, values.Count).</exception>
    public static DictionaryColumn OfIntegers(string name, IReadOnlyList<long> values, int[] codes)
    {
        ArgumentNullException.ThrowIfNull(values);
        long[] integers = [.. values];
        var seen = new HashSet<long>(integers.Length);
        foreach (var value in integers)
        {
            if (!seen.Add(value))
            {
                throw new ArgumentException($"Column '{name}': the value {value} appears twice; values must be distinct.", nameof(values));
            }
        }

        return new DictionaryColumn(name, integers, null, null, codes);
    }

    /// <summary>A column of floating-point numbers (a Parquet or Arrow float or double column), dictionary-encoded.</summary>
    /// <param name="name">The column's name.</param>
    /// <param name="values">The distinct numbers, told apart by their bits (0 and -0 are two values; NaN and infinities may appear, and a numeric feature rejects them with the row's location).</param>
    /// <param name="codes">Per row, the index of its value in <paramref name="values"/>, or -1 when the row has no value. Held, not copied.</param>
    /// <param name="text">The text of value i where a categorical feature, a label or a message needs one; by default its round-trip ("R") form. A float32 column passes the float's own round-trip text.</param>
    /// <exception cref="ArgumentException">The name is empty, a value is repeated, or a code is outside [-1, values.Count).</exception>
    public static DictionaryColumn OfNumbers(string name, IReadOnlyList<double> values, int[] codes, Func<int, string>? text = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        double[] numbers = [.. values];
        var seen = new HashSet<long>(numbers.Length);
        foreach (var value in numbers)
        {
            if (!seen.Add(BitConverter.DoubleToInt64Bits(value)))
            {
                throw new ArgumentException($"Column '{name}': the value {value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)} appears twice; values must be distinct.", nameof(values));
            }
        }

        return new DictionaryColumn(name, null, numbers, text, codes);
    }

    private static void CheckCodes(string name, int[] codes, int valueCount)
    {
        for (var row = 0; row < codes.Length; row++)
        {
            if (codes[row] < -1 || codes[row] >= valueCount)
            {
                throw new ArgumentException($"Column '{name}': row {row} has code {codes[row]}, outside [-1, {valueCount}).", nameof(codes));
            }
        }
    }

    /// <summary>The column's name.</summary>
    public string Name { get; }

    /// <summary>The number of rows.</summary>
    public int RowCount => _codes.Length;

    /// <summary>The number of distinct values.</summary>
    public int ValueCount => _integers?.Length ?? _numbers?.Length ?? _values.Length;

    internal ValueStore Store() =>
        _integers is not null ? new NumberValueStore(_integers)
        : _numbers is not null ? new NumberValueStore(_numbers, _text)
        : new DistinctValueStore(_values);

    internal int[] Codes => _codes;
}
