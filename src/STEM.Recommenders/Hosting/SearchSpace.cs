using System.Text.Json;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// The trials of a <see cref="SearchConfig"/>: grid search in a stable order (paths in ordinal order,
/// the last varying fastest, values in the order written), or random search drawing combinations
/// without replacement from a generator seeded with <see cref="SearchConfig.Seed"/>. The budget
/// takes the first <see cref="SearchConfig.Trials"/> of that sequence, so a larger budget keeps the
/// trials of a smaller one and adds to them.
/// </summary>
public static class SearchSpace
{
    /// <summary>The number of combinations in the grid (saturating at <see cref="long.MaxValue"/>).</summary>
    public static long Size(SearchConfig search)
    {
        ArgumentNullException.ThrowIfNull(search);
        long size = 1;
        foreach (var values in search.Space.Values)
        {
            size = values.Count == 0 ? 0 : size > long.MaxValue / values.Count ? long.MaxValue : size * values.Count;
        }

        return search.Space.Count == 0 ? 0 : size;
    }

    /// <summary>The trials, in the order they run: each an override set (path → value).</summary>
    /// <exception cref="ArgumentException">The space is empty, a path lists no values, or the budget is below 1.</exception>
    public static IReadOnlyList<IReadOnlyList<KeyValuePair<string, JsonElement>>> Enumerate(SearchConfig search)
    {
        ArgumentNullException.ThrowIfNull(search);
        var paths = search.Space.Keys.Order(StringComparer.Ordinal).ToArray();
        if (paths.Length == 0)
        {
            throw new ArgumentException("the search space is empty; list at least one option path with values", nameof(search));
        }

        if (paths.FirstOrDefault(p => search.Space[p].Count == 0) is { } empty)
        {
            throw new ArgumentException($"'{empty}' lists no values", nameof(search));
        }

        if (search.Trials is < 1)
        {
            throw new ArgumentException($"the trial budget must be at least 1 (was {search.Trials})", nameof(search));
        }

        var size = Size(search);
        var count = (int)Math.Min(search.Trials ?? int.MaxValue, Math.Min(size, int.MaxValue));
        var indices = search.Strategy == SearchStrategy.Grid ? GridIndices(count) : RandomIndices(size, count, search.Seed);
        return indices.Select(i => Combination(search, paths, i)).ToArray();
    }

    private static IEnumerable<long> GridIndices(int count)
    {
        for (long i = 0; i < count; i++)
        {
            yield return i;
        }
    }

    /// <summary>Distinct indices in [0, size) from a seeded generator (System.Random with a seed is stable across runs and platforms).</summary>
    private static IEnumerable<long> RandomIndices(long size, int count, long seed)
    {
        var random = new Random(unchecked((int)(seed ^ (seed >> 32))));
        if (size <= 1 << 20)
        {
            // A seeded Fisher-Yates prefix: without replacement and without retries.
            var order = new long[size];
            for (var i = 0; i < size; i++)
            {
                order[i] = i;
            }

            for (var i = 0; i < count; i++)
            {
                var j = i + random.NextInt64(size - i);
                (order[i], order[j]) = (order[j], order[i]);
                yield return order[i];
            }

            yield break;
        }

        // A huge grid: draw and skip repeats (rare, as the budget is far below the size).
        var seen = new HashSet<long>();
        while (seen.Count < count)
        {
            var index = random.NextInt64(size);
            if (seen.Add(index))
            {
                yield return index;
            }
        }
    }

    /// <summary>The combination at a mixed-radix index, the last path the fastest digit.</summary>
    private static KeyValuePair<string, JsonElement>[] Combination(SearchConfig search, string[] paths, long index)
    {
        var values = new KeyValuePair<string, JsonElement>[paths.Length];
        for (var p = paths.Length - 1; p >= 0; p--)
        {
            var options = search.Space[paths[p]];
            values[p] = new(paths[p], options[(int)(index % options.Count)]);
            index /= options.Count;
        }

        return values;
    }
}
