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

    /// <summary>
    /// Whether codes also carry typed numbers (<see cref="NumberValueStore"/>: a Parquet or Arrow
    /// column of integers or floating point), so that a numeric feature reads the number itself
    /// instead of parsing its text.
    /// </summary>
    public virtual bool HoldsNumbers => false;

    /// <summary>The number of a code, when <see cref="HoldsNumbers"/> (it may be NaN or infinite: the encoder rejects those with the row's location).</summary>
    public virtual double NumberAt(int code) => throw new NotSupportedException("This store holds text, not numbers.");
}

/// <summary>Values held one per row (a table built in memory, a Parquet row group): code = row.</summary>
internal sealed class ArrayValueStore(string?[] values) : ValueStore
{
    public override int Count => values.Length;

    public override string? this[int code] => values[code];

    public override bool IsShared => false;
}

/// <summary>The distinct values of a column given already dictionary-encoded (<see cref="DictionaryColumn"/>).</summary>
internal sealed class DistinctValueStore(string[] values) : ValueStore
{
    public override int Count => values.Length;

    public override string? this[int code] => values[code];

    public override bool IsShared => true;
}

/// <summary>
/// The distinct values of one column of a file, in order of first appearance, appended by the
/// reader while earlier chunks are already being fitted or encoded on another thread: entries live
/// in fixed segments that never move, and the count is published after the entry is written, so a
/// reader of any code below a count it has seen needs no lock. Lookups by span allocate nothing for
/// a value seen before: a log repeats each id, date and flag many times.
/// </summary>
/// <remarks>
/// Short ASCII values — ids, flags, dates, counts of up to 8 characters, nearly every value of a
/// log — are looked up by their characters packed into one 64-bit key, in an open-addressing table
/// of (key, code) pairs: a probe reads one cache line and compares no string. A general
/// <see cref="Dictionary{TKey, TValue}"/> lookup reads three (bucket, entry, the key's string),
/// which in a dictionary of millions of user ids are three cache misses; this was the largest cost
/// of reading a 10 M-row log. Every other value goes to the dictionary. Which table a value uses
/// depends on the value alone, so a value is never in both.
/// </remarks>
internal sealed class ValueDictionary : ValueStore
{
    private const int SegmentBits = 16;
    private const int SegmentSize = 1 << SegmentBits;

    /// <summary>The longest value whose characters pack into a 64-bit key (one byte each).</summary>
    private const int MaxPackedLength = 8;

    private readonly Dictionary<string, int> _codes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private PackedSlot[] _packed = new PackedSlot[16];
    private int _packedCount;
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
        if (Pack(value) is var key and not 0)
        {
            return GetOrAddPacked(key, value);
        }

        ref var code = ref CollectionsMarshal.GetValueRefOrAddDefault(_bySpan, value, out var exists);
        if (!exists)
        {
            code = Append(value);
        }

        return code;
    }

    /// <summary>
    /// The characters of a value of 1 to 8 ASCII characters (never NUL: the parser rejects it), one
    /// byte each, low byte first; 0 when the value does not pack. Distinct packable values have
    /// distinct keys, and 0 is never a key, so it marks an empty slot.
    /// </summary>
    private static ulong Pack(ReadOnlySpan<char> value)
    {
        if (value.Length is 0 or > MaxPackedLength)
        {
            return 0;
        }

        ulong key = 0;
        for (var i = value.Length - 1; i >= 0; i--)
        {
            var c = value[i];
            if (c is '\0' or > (char)0x7F)
            {
                return 0;
            }

            key = (key << 8) | c;
        }

        return key;
    }

    private int GetOrAddPacked(ulong key, ReadOnlySpan<char> value)
    {
        var slots = _packed;
        var mask = slots.Length - 1;
        var i = Slot(key, mask);
        while (true)
        {
            ref var slot = ref slots[i];
            if (slot.Key == key)
            {
                return slot.Code;
            }

            if (slot.Key == 0)
            {
                break;
            }

            i = (i + 1) & mask;
        }

        var code = Append(value);
        slots[i] = new PackedSlot(key, code);
        if (++_packedCount > slots.Length / 2)
        {
            Grow();
        }

        return code;
    }

    /// <summary>Fibonacci hashing: the key's high product bits, so keys that differ in one character spread.</summary>
    private static int Slot(ulong key, int mask) =>
        (int)((key * 0x9E3779B97F4A7C15UL) >> 32) & mask;

    private void Grow()
    {
        var old = _packed;
        var slots = new PackedSlot[old.Length * 2];
        var mask = slots.Length - 1;
        foreach (var slot in old)
        {
            if (slot.Key != 0)
            {
                var i = Slot(slot.Key, mask);
                while (slots[i].Key != 0)
                {
                    i = (i + 1) & mask;
                }

                slots[i] = slot;
            }
        }

        _packed = slots;
    }

    private int Append(ReadOnlySpan<char> value)
    {
        var next = _count;
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

    private readonly record struct PackedSlot(ulong Key, int Code);
}
