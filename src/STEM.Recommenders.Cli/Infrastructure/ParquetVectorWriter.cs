using Parquet;
using Parquet.Schema;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Writes keyed float vectors as an Apache Parquet file: one string key column, then one float32
/// column per component. Floats are stored as float32 (not as text), so every value reads back
/// bit for bit; <see cref="Data.ParquetTableReader"/> formats them in round-trip form, the same
/// text <see cref="ScoreWriter"/> writes for CSV.
/// </summary>
internal static class ParquetVectorWriter
{
    // Bounds the transient column buffers of one row group while keeping groups large enough
    // for column statistics and compression to pay off.
    private const int RowsPerGroup = 1 << 16;

    /// <summary>Whether <paramref name="path"/> names a Parquet file (by its extension).</summary>
    public static bool IsParquet(string path) => path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase);

    /// <summary>Writes <paramref name="keys"/>[i] and row i of the row-major <paramref name="values"/> block ([keys.Count, columns.Count]).</summary>
    public static async Task WriteAsync(string path, string keyColumn, IReadOnlyList<string> keys, IReadOnlyList<string> columns, float[] values, CancellationToken cancellationToken)
    {
        var width = columns.Count;
        if (values.Length != keys.Count * width)
        {
            throw new ArgumentException($"{values.Length} values are not {keys.Count} rows of {width}", nameof(values));
        }

        if (columns.Contains(keyColumn, StringComparer.Ordinal))
        {
            throw new CliUsageException("--prefix", $"component column '{keyColumn}' has the name of the key column; choose another prefix");
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var keyField = new DataField<string>(keyColumn);
        var valueFields = columns.Select(c => new DataField<float>(c)).ToArray();
        var schema = new ParquetSchema([keyField, .. valueFields]);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        await using var writer = await ParquetWriter.CreateAsync(schema, file, cancellationToken: cancellationToken);
        var column = new float[Math.Min(RowsPerGroup, keys.Count)];
        var start = 0;
        do
        {
            // No users still gets one empty row group, so the file has its schema and reads back as an empty table.
            var rows = Math.Min(RowsPerGroup, keys.Count - start);
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(keyField, keys.Skip(start).Take(rows).ToArray());
            for (var c = 0; c < width; c++)
            {
                // Gather component c of these rows: the block is row-major, a column is strided.
                for (var r = 0; r < rows; r++)
                {
                    column[r] = values[((start + r) * width) + c];
                }

                await group.WriteAsync<float>(valueFields[c], column.AsMemory(0, rows), cancellationToken: cancellationToken);
            }

            start += rows;
        }
        while (start < keys.Count);
    }
}
