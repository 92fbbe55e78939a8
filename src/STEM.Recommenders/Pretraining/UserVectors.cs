namespace STEM.Recommenders.Pretraining;

/// <summary>One vector per user: row i of <see cref="Values"/> (a [Count, Dimension] row-major block) belongs to <see cref="Keys"/>[i].</summary>
/// <param name="Keys">User keys, in row order.</param>
/// <param name="Values">Row-major float32 values.</param>
/// <param name="Dimension">Vector width.</param>
public sealed record UserVectors(IReadOnlyList<string> Keys, float[] Values, int Dimension)
{
    /// <summary>Number of users.</summary>
    public int Count => Keys.Count;

    /// <summary>User i's vector.</summary>
    public ReadOnlySpan<float> this[int i] => Values.AsSpan(i * Dimension, Dimension);

    /// <summary>The component column names used when the vectors are written as a table: prefix0, prefix1, …</summary>
    public IReadOnlyList<string> ColumnNames(string prefix = "clue_") => Enumerable.Range(0, Dimension).Select(j => prefix + j.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>
    /// Writes the vectors as a CSV table (key column, then one column per component; numbers in
    /// invariant culture, shortest round-trip form), the format <c>--user-vectors</c> and
    /// <see cref="Datasets.KuaiRandOptions.UserVectorsPath"/> read.
    /// </summary>
    /// <param name="path">The file to write (its directory is created).</param>
    /// <param name="keyColumn">The key column's name, e.g. user_id.</param>
    /// <param name="prefix">The component columns' prefix.</param>
    /// <param name="cancellationToken">Stops between rows.</param>
    public async Task WriteCsvAsync(string path, string keyColumn = "user_id", string prefix = "clue_", CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(keyColumn);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        await using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        var line = new System.Text.StringBuilder();
        line.AppendJoin(',', ColumnNames(prefix).Prepend(keyColumn).Select(Quote));
        await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < Count; i++)
        {
            line.Clear().Append(Quote(Keys[i]));
            foreach (var value in this[i])
            {
                line.Append(',').Append(value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            await writer.WriteLineAsync(line, cancellationToken).ConfigureAwait(false);
        }
    }

    private static string Quote(string value) =>
        value.IndexOfAny([',', '"', '\r', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
}
