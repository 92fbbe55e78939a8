using System.Globalization;
using Parquet;
using Parquet.Schema;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Benchmarks;

/// <summary>
/// A typed Parquet copy of a CSV file, as a warehouse export would hold it: a column whose every value
/// parses as an integer becomes int64, one whose values parse as numbers becomes double, the rest
/// strings; nulls where the CSV field is empty; row groups of 65,536 rows.
/// </summary>
internal static class ParquetCopy
{
    private const int RowGroupRows = 1 << 16;

    public static async Task<string> EnsureAsync(string csv, string directory, string name)
    {
        var path = Path.Combine(directory, name + ".parquet");
        if (File.Exists(path))
        {
            return path;
        }

        Directory.CreateDirectory(directory);
        var table = await new CsvTableReader().ReadAsync(csv).ConfigureAwait(false);
        var fields = new List<DataField>();
        var arrays = new List<Array>();
        foreach (var column in table.Columns)
        {
            var values = Enumerable.Range(0, column.Count).Select(r => column[r]).ToArray();
            if (values.All(v => v is null || long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out _)))
            {
                fields.Add(new DataField<long?>(column.Name));
                arrays.Add(values.Select(v => v is null ? (long?)null : long.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            }
            else if (values.All(v => v is null || double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
            {
                fields.Add(new DataField<double?>(column.Name));
                arrays.Add(values.Select(v => v is null ? (double?)null : double.Parse(v, CultureInfo.InvariantCulture)).ToArray());
            }
            else
            {
                fields.Add(new DataField<string>(column.Name, nullable: true));
                arrays.Add(values);
            }
        }

        var partial = path + ".partial";
        await using (var file = File.Create(partial))
        {
            await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema([.. fields]), file).ConfigureAwait(false);
            for (var start = 0; start < table.RowCount; start += RowGroupRows)
            {
                var count = Math.Min(RowGroupRows, table.RowCount - start);
                using var group = writer.CreateRowGroup();
                for (var i = 0; i < fields.Count; i++)
                {
                    var write = arrays[i] switch
                    {
                        long?[] longs => group.WriteAsync<long>(fields[i], longs.AsMemory(start, count)),
                        double?[] doubles => group.WriteAsync<double>(fields[i], doubles.AsMemory(start, count)),
                        string?[] strings => group.WriteAsync(fields[i], new ArraySegment<string?>(strings, start, count)),
                        _ => throw new InvalidOperationException("unreachable"),
                    };
                    await write.ConfigureAwait(false);
                }
            }
        }

        File.Move(partial, path);
        Console.WriteLine($"  wrote {path}: {table.RowCount:N0} rows, {fields.Count} typed columns from {csv}");
        return path;
    }
}
