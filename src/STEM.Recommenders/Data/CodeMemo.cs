namespace STEM.Recommenders.Data;

/// <summary>
/// What was derived from each code of a column's <see cref="ValueStore"/> (an id, a side-table row,
/// a day), so that it is derived once per distinct value rather than once per row: a streamed log
/// repeats every value across chunks that share one dictionary. Entries are ints where 0 means
/// "not derived yet" (callers store value + 1), <paramref name="width"/> per code.
/// </summary>
/// <remarks>
/// Shared encoders (a <c>Serving.Predictor</c> scoring on many threads) may race on a memo: a lost
/// entry is derived again and every thread derives the same value, so a race costs time, never
/// correctness. A caller that writes several ints per code writes the others before the first,
/// with <see cref="Volatile.Write(ref int, int)"/>.
/// </remarks>
internal sealed class CodeMemo(int width = 1) : CodeSlots<int>(width, 0);

/// <summary>
/// Slots per code of one column's <see cref="ValueStore"/>, <c>width</c> per code, new slots set to
/// <c>empty</c> ("not derived yet"); a column of another store starts over (the old slots are
/// dropped). The memo behind <see cref="CodeMemo"/> and the pipeline's number memo.
/// </summary>
/// <typeparam name="T">What is kept per code.</typeparam>
internal abstract class CodeSlots<T>(int width, T empty)
    where T : struct
{
    private Entry? _entry;

    /// <summary>Slots per code.</summary>
    public int Width { get; } = width;

    /// <summary>
    /// The slots for <paramref name="column"/>'s store, with room for every code it has now; a column
    /// of another store starts new slots (the old ones are dropped).
    /// </summary>
    public T[] For(DataColumn column)
    {
        var store = column.Store;
        var entry = Volatile.Read(ref _entry);
        if (entry is null || !ReferenceEquals(entry.Store, store))
        {
            entry = new Entry(store);
            Volatile.Write(ref _entry, entry);
        }

        var slots = Volatile.Read(ref entry.Slots);
        var needed = (long)store.Count * Width;
        if (slots.LongLength < needed)
        {
            var grown = new T[Math.Max(needed, Math.Min(Array.MaxLength, slots.LongLength * 2))];
            slots.CopyTo(grown, 0);
            if (!empty.Equals(default(T)))
            {
                grown.AsSpan(slots.Length).Fill(empty);
            }

            Volatile.Write(ref entry.Slots, grown);
            slots = grown;
        }

        return slots;
    }

    private sealed class Entry(ValueStore store)
    {
        public readonly ValueStore Store = store;
        public T[] Slots = [];
    }
}
