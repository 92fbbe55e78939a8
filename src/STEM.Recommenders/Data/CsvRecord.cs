namespace STEM.Recommenders.Data;

/// <summary>
/// One parsed record: its fields as spans over one reused buffer, so that the reader turns only the
/// columns it keeps into values and allocates nothing for the others.
/// </summary>
internal sealed class CsvRecord
{
    private char[] _chars = new char[1024];
    private int[] _starts = new int[32];
    private int[] _lengths = new int[32];
    private int _length;

    /// <summary>The number of fields.</summary>
    public int Count { get; private set; }

    /// <summary>A field's characters (empty: a missing value).</summary>
    public ReadOnlySpan<char> this[int field] => _chars.AsSpan(_starts[field], _lengths[field]);

    /// <summary>A field as a string; <see langword="null"/> when it is empty.</summary>
    public string? StringAt(int field) => _lengths[field] == 0 ? null : this[field].ToString();

    public void Append(char c)
    {
        if (_length == _chars.Length)
        {
            Array.Resize(ref _chars, _chars.Length * 2);
        }

        _chars[_length++] = c;
    }

    public void Append(ReadOnlySpan<char> text)
    {
        if (_length + text.Length > _chars.Length)
        {
            Array.Resize(ref _chars, Math.Max(_chars.Length * 2, _length + text.Length));
        }

        text.CopyTo(_chars.AsSpan(_length));
        _length += text.Length;
    }

    /// <summary>Ends the field being parsed; <paramref name="trim"/> drops its leading and trailing spaces.</summary>
    public void EndField(bool trim)
    {
        var start = Count == 0 ? 0 : _starts[Count - 1] + _lengths[Count - 1];
        var length = _length - start;
        if (trim)
        {
            var span = _chars.AsSpan(start, length);
            var trimmed = span.TrimStart(' ');
            start += length - trimmed.Length;
            length = trimmed.TrimEnd(' ').Length;
        }

        if (Count == _starts.Length)
        {
            Array.Resize(ref _starts, Count * 2);
            Array.Resize(ref _lengths, Count * 2);
        }

        _starts[Count] = start;
        _lengths[Count] = length;
        Count++;

        // Trimmed characters stay in the buffer; the next field starts after this one's end.
        _length = start + length;
    }

    public void Clear()
    {
        Count = 0;
        _length = 0;
    }
}
