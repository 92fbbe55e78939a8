using System.Collections.Concurrent;
using System.Reflection;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Serving;

/// <summary>
/// Turns scoring requests into a table and scores back into rows, the same way for every backend
/// (the TorchSharp <see cref="Predictor"/>, the ONNX Runtime predictor): a missing key, a
/// <see langword="null"/> and an empty string are all a missing value, as an empty CSV field is, and
/// typed rows supply the columns their public properties are named after (ignoring case),
/// formatted invariantly.
/// </summary>
public static class ScoringRows
{
    private static readonly ConcurrentDictionary<Type, (string Column, Func<object, object?> Get)[]> Accessors = new();

    /// <summary>
    /// Refuses a scoring request without rows. A request of no rows is a caller's mistake, and is
    /// named as one; a table of no rows (an empty partition of a batch job) is data, and scores to
    /// an empty array.
    /// </summary>
    /// <param name="rowCount">Rows in the request.</param>
    /// <param name="modelName">The model being served, for the message.</param>
    /// <param name="parameterName">The caller's parameter that holds the rows.</param>
    /// <exception cref="ArgumentException">The request has no rows.</exception>
    public static void RequireRows(int rowCount, string modelName, string parameterName)
    {
        if (rowCount == 0)
        {
            throw new ArgumentException($"Model '{modelName}': a request of 0 rows has nothing to score; send at least one row.", parameterName);
        }
    }

    /// <summary>A table of the given columns from rows of column → raw value (keys looked up with each dictionary's own comparer).</summary>
    /// <param name="columns">The input columns, in order.</param>
    /// <param name="rows">The rows.</param>
    public static DataTable FromDictionaries(IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyDictionary<string, string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        var values = columns.Select(c => new KeyValuePair<string, string?[]>(c, rows.Select(r => r.TryGetValue(c, out var v) ? Missing(v) : null).ToArray())).ToArray();
        return DataTable.FromColumns("request", values);
    }

    /// <summary>A table of the given columns from typed rows: a public property named like a column (ignoring case) supplies it.</summary>
    /// <typeparam name="TRow">The row type.</typeparam>
    /// <param name="columns">The input columns, in order.</param>
    /// <param name="rows">The rows.</param>
    public static DataTable FromObjects<TRow>(IReadOnlyList<string> columns, IReadOnlyList<TRow> rows)
        where TRow : notnull
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rows);
        var accessors = Accessors.GetOrAdd(typeof(TRow), type => type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => (p.Name, (Func<object, object?>)p.GetValue))
            .ToArray());
        var byName = accessors.ToDictionary(a => a.Column, a => a.Get, StringComparer.OrdinalIgnoreCase);
        var values = columns.Select(c => new KeyValuePair<string, string?[]>(
            c,
            byName.TryGetValue(c, out var get) ? rows.Select(r => Format(get(r))).ToArray() : new string?[rows.Count])).ToArray();
        return DataTable.FromColumns("request", values);
    }

    /// <summary>Row-major probabilities [N, T] as one task → probability dictionary per row.</summary>
    /// <param name="probabilities">The scores, row-major.</param>
    /// <param name="taskNames">The tasks, in the order of a row's scores.</param>
    public static IReadOnlyDictionary<string, double>[] ToDictionaries(float[] probabilities, IReadOnlyList<string> taskNames)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(taskNames);
        var t = taskNames.Count;
        var rows = new IReadOnlyDictionary<string, double>[probabilities.Length / t];
        for (var r = 0; r < rows.Length; r++)
        {
            var scores = new Dictionary<string, double>(t, StringComparer.Ordinal);
            for (var k = 0; k < t; k++)
            {
                scores[taskNames[k]] = probabilities[(r * t) + k];
            }

            rows[r] = scores;
        }

        return rows;
    }

    // An empty string is a missing value, as an empty CSV field is (the CSV reader yields null for it).
    private static string? Missing(string? value) => string.IsNullOrEmpty(value) ? null : value;

    private static string? Format(object? value) => value switch
    {
        null => null,
        string s => Missing(s),
        IFormattable f => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture),
        _ => value.ToString(),
    };
}
