using STEM.Recommenders.Data;

namespace STEM.Recommenders.Features;

/// <summary>
/// Counts the rows of each code of one column's store while a field is fitted; the counts become
/// counts per value (one derivation per distinct value, not per row) when a column of another
/// store arrives or the fit ends. The flush gets the store and the code, so a typed store's number
/// is read as it is rather than through its text.
/// </summary>
internal sealed class CodeCounts
{
    private ValueStore? _store;
    private int[] _counts = [];

    /// <summary>Counts rows <paramref name="start"/> to <paramref name="end"/> (exclusive) of a column; <paramref name="firstSeen"/> is called with the first row of each new code, in row order.</summary>
    public void Add(DataColumn column, int start, int end, Action<ValueStore, int, int> flush, Action<int> firstSeen)
    {
        if (!ReferenceEquals(_store, column.Store))
        {
            Flush(flush);
            _store = column.Store;
        }

        var needed = _store.Count;
        if (_counts.Length < needed)
        {
            Array.Resize(ref _counts, Math.Max(needed, Math.Min(Array.MaxLength, _counts.Length * 2)));
        }

        var counts = _counts;
        for (var r = start; r < end; r++)
        {
            var code = column.CodeOf(r);
            if (code >= 0 && counts[code]++ == 0)
            {
                firstSeen(r);
            }
        }
    }

    /// <summary>Hands every counted code (store, code, count) to <paramref name="flush"/>, and forgets them.</summary>
    public void Flush(Action<ValueStore, int, int> flush)
    {
        if (_store is null)
        {
            return;
        }

        for (var code = 0; code < _counts.Length; code++)
        {
            if (_counts[code] > 0)
            {
                flush(_store, code, _counts[code]);
            }
        }

        _store = null;
        _counts = [];
    }
}
