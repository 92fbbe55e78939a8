using System.Globalization;
using Parquet;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Cli.Tests;

/// <summary><c>stem embed -o FILE.parquet</c>: the same vectors as the CSV output, stored as float32, and usable by <c>stem train --user-vectors</c>.</summary>
public sealed class EmbedParquetTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public async Task Parquet_and_csv_outputs_hold_the_same_keys_and_values()
    {
        var encoder = await PretrainAsync("--source", "synthetic", "--synthetic-users", "400");
        var parquet = Path.Combine(_dir, "v.parquet");
        var csv = Path.Combine(_dir, "v.csv");
        await Stem.SucceedAsync("embed", "--source", "synthetic", "--synthetic-users", "400", "--encoder", encoder, "-o", parquet, "--quiet", "--threads", "1");
        await Stem.SucceedAsync("embed", "--source", "synthetic", "--synthetic-users", "400", "--encoder", encoder, "-o", csv, "--quiet", "--threads", "1");

        var fromParquet = await new ParquetTableReader().ReadAsync(parquet);
        var fromCsv = await TableReaderRegistry.CreateDefault().ReadAsync(csv);
        fromParquet.ColumnNames.Should().Equal(["user_id", .. Enumerable.Range(0, 8).Select(j => $"clue_{j}")]);
        fromParquet.ColumnNames.Should().Equal(fromCsv.ColumnNames);
        fromParquet.RowCount.Should().Be(400).And.Be(fromCsv.RowCount);
        foreach (var name in fromCsv.ColumnNames)
        {
            // The reader formats float32 in round-trip form, the text the CSV writer writes.
            Column(fromParquet, name).Should().Equal(Column(fromCsv, name), $"column {name} must read back identically");
        }

        // The components are stored as float32 and the CSV text parses back to those exact bits.
        await using var file = File.OpenRead(parquet);
        await using var reader = await ParquetReader.CreateAsync(file);
        var fields = reader.Schema.GetDataFields();
        new[] { typeof(string), typeof(ReadOnlyMemory<char>) }.Should().Contain(fields[0].ClrType); // Parquet.Net 6 reads UTF-8 text as either
        fields.Skip(1).Should().OnlyContain(f => f.ClrType == typeof(float) && !f.IsNullable);
        using var group = reader.OpenRowGroupReader(0);
        var raw = new float[group.RowCount];
        await group.ReadAsync<float>(fields[3], raw.AsMemory());
        var text = Column(fromCsv, fields[3].Name);
        for (var i = 0; i < raw.Length; i++)
        {
            BitConverter.SingleToInt32Bits(float.Parse(text[i]!, CultureInfo.InvariantCulture)).Should().Be(BitConverter.SingleToInt32Bits(raw[i]));
        }
    }

    [Fact]
    public async Task Train_joins_parquet_user_vectors_on_user_id()
    {
        var log = TestPaths.Sample("log.csv.gz");
        var videos = TestPaths.Sample("video_features.csv.gz");
        var encoder = await PretrainAsync("--log", log, "--videos", videos, "--days", "20220425,20220426,20220427,20220428,20220429");
        var vectors = Path.Combine(_dir, "vectors.parquet");
        await Stem.SucceedAsync("embed", "--log", log, "--videos", videos, "--days", "20220425,20220426,20220427,20220428,20220429", "--encoder", encoder, "-o", vectors, "--quiet", "--threads", "1");

        var config = Path.Combine(_dir, "tiny-model.json");
        await File.WriteAllTextAsync(config, """
            {
              "data": { "preset": "synthetic" },
              "model": { "model": "stem-net", "embeddingDim": 4, "sharedExperts": 1, "specificExpertsPerTask": 1, "expertUnits": [8], "gateUnits": [], "towerUnits": [8] },
              "training": { "batchSize": 2048 }
            }
            """);
        var result = await Stem.SucceedAsync(
            "train", "--config", config, "--preset", "kuairand", "--train", log, "--users", TestPaths.Sample("user_features.csv.gz"), "--videos", videos,
            "--user-vectors", vectors, "--valid-days", "20220430", "--test-days", "20220501", "--tasks", "is_click",
            "--epochs", "1", "--output", Path.Combine(_dir, "run"), "--json", "--threads", "1");
        result.Json().GetProperty("run").GetProperty("test").GetProperty("tasks")[0].GetProperty("auc").GetDouble().Should().BeInRange(0, 1);
    }

    private async Task<string> PretrainAsync(params string[] data)
    {
        var output = Path.Combine(_dir, "clue");
        await Stem.SucceedAsync([
            "pretrain", .. data, "--width", "8", "--layers", "1", "--heads", "1", "--feed-forward", "16", "--output-dim", "8",
            "--epochs", "1", "--batch-size", "32", "--eval-batch-size", "16", "-o", output, "--quiet", "--threads", "1"]);
        return Path.Combine(output, "encoder");
    }

    private static string?[] Column(DataTable table, string name)
    {
        var column = table.Column(name);
        return Enumerable.Range(0, column.Count).Select(r => column[r]).ToArray();
    }
}
