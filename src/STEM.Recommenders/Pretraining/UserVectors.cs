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
}
