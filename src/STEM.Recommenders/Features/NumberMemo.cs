using STEM.Recommenders.Data;

namespace STEM.Recommenders.Features;

/// <summary>
/// The number derived from each code of a column's store (parsed and transformed), so that a
/// numeric feature of a dictionary-encoded column parses each distinct value once. NaN marks a code
/// not derived yet: a derived number is always finite.
/// </summary>
/// <remarks>
/// Shared encoders (a <c>Serving.Predictor</c> scoring on many threads) may race on a memo: an
/// aligned double is written whole, and a lost entry is derived again to the same number, so a race
/// costs time, never correctness (as in <see cref="CodeMemo"/>).
/// </remarks>
internal sealed class NumberMemo
{
    private Entry? _entry;

    /// <summary>The memo for <paramref name="column"/>'s store, with room for every code it has now.</summary>
    public double[] For(DataColumn column)
    {
        var store = column.Store;
        var entry = Volatile.Read(ref _entry);
        if (entry is null || !ReferenceEquals(entry.Store, store))
        {
            entry = new Entry(store);
            Volatile.Write(ref _entry, entry);
        }

        var slots = Volatile.Read(ref entry.Slots);
        if (slots.Length < store.Count)
        {
            var grown = new double[Math.Max(store.Count, Math.Min(Array.MaxLength, slots.LongLength * 2))];
            slots.CopyTo(grown, 0);
            grown.AsSpan(slots.Length).Fill(double.NaN);
            Volatile.Write(ref entry.Slots, grown);
            slots = grown;
        }

        return slots;
    }

    private sealed class Entry(ValueStore store)
    {
        public readonly ValueStore Store = store;
        public double[] Slots = [];
    }
}
