using System.Runtime.InteropServices;

namespace STEM.Recommenders.Data;

/// <summary>
/// The distinct values a <see cref="DataColumn"/> reads from, addressed by code. A column's rows
/// hold codes, so that whatever is derived from a value (its id, its parsed number, its label) is
/// computed once per code and reused for every row and every later chunk that shares the store.
/// The store's identity is what such a memo is keyed by.
/// </summary>
internal abstract class ValueStore
{
    /// <summary>The number of codes (a dictionary still being read grows; codes never move).</summary>
    public abstract int Count { get; }

    /// <summary>The value of a code.</summary>
    public abstract string? this[int code] { get; }

    /// <summary>
    /// Whether rows share codes (a dictionary of a file's distinct values, or a side table joined to
    /// many rows): a memo per code pays off even the first time the store is seen.
    /// </summary>
    public abstract bool IsShared { get; }
}

/// <summary>Values held one per row (a table built in memory, a Parquet row group): code = row.</summary>
internal sealed class ArrayValueStore(string?[] values) : ValueStore
{
    public override int Count => values.Length;

    public override string? this[int code] => values[code];

    public override bool IsShared => false;
}

/// <summary>
/// The distinct values of one column of a file, in order of first appearance, appended by the
/// reader while earlier chunks are already being fitted or encoded on another thread: entries live
/// in fixed segments that never move, and the count is published after the entry is written, so a
/// reader of any code below a count it has seen needs no lock. Lookups by span allocate nothing for
/// a value seen before: a log repeats each id, date and flag many times.
/// </summary>
internal sealed class ValueDictionary : ValueStore
{
    private const int SegmentBits = 16;
    private const int SegmentSize = 1 << SegmentBits;

    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private string[][] _segments = new string[4][];
    private int _count;

    public ValueDictionary()
    {
        _bySpan = _codes.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public override int Count => Volatile.Read(ref _count);

    public override string? this[int code] => Volatile.Read(ref _segments)[code >> SegmentBits][code & (SegmentSize - 1)];

    public override bool IsShared => true;

    /// <summary>The code of a value, adding it when new (only the reading thread calls this).</summary>
    public int GetOrAdd(ReadOnlySpan<char> value)
    {
        ref var code = ref CollectionsMarshal.GetValueRefOrAddDefault(_bySpan, value, out var exists);
        if (exists)
        {
            return code;
        }

        var next = _count;
        code = next;
        var segment = next >> SegmentBits;
        var segments = _segments;
        if (segment == segments.Length)
        {
            // A new spine is published whole; readers holding the old one still see every old segment.
            Array.Resize(ref segments, segments.Length * 2);
            Volatile.Write(ref _segments, segments);
        }

        var entries = segments[segment] ??= new string[SegmentSize];
        entries[next & (SegmentSize - 1)] = value.ToString();
        Volatile.Write(ref _count, next + 1);
        return next;
    }
}
