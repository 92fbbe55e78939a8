using System.IO.Compression;
using System.Text;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Tests.Data;

public class TableStreamingTests
{
    private static readonly TableReaderRegistry Readers = TableReaderRegistry.CreateDefault();

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(1000)]
    public async Task Csv_chunks_concatenate_to_the_whole_file_with_its_line_numbers(int chunkRows)
    {
        // A quoted field spans two lines, so line numbers and row numbers differ after it.
        var text = new StringBuilder("id,name,score\n");
        for (var i = 0; i < 40; i++)
        {
            text.Append(i).Append(i == 3 ? ",\"two\nlines\"," : $",n{i},").Append(i % 5 == 0 ? string.Empty : $"{i * 0.5}").Append('\n');
        }

        var path = Path.Combine(TestPaths.TempDirectory(), "rows.csv.gz");
        await using (var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(text.ToString()));
        }

        var whole = await Readers.ReadAsync(path, new TableReadRequest(["score", "id"]));
        var chunks = await Chunks(path, new TableReadRequest(["score", "id"]), chunkRows);

        chunks.Sum(c => c.RowCount).Should().Be(40);
        chunks.Should().OnlyContain(c => c.RowCount > 0);
        chunks.Should().OnlyContain(c => c.ColumnNames.SequenceEqual(new[] { "score", "id" }));
        var row = 0;
        foreach (var chunk in chunks)
        {
            for (var r = 0; r < chunk.RowCount; r++, row++)
            {
                chunk.Column("id")[r].Should().Be(whole.Column("id")[row]);
                chunk.Column("score")[r].Should().Be(whole.Column("score")[row]);
                chunk.Column("score").LocationOf(r).Should().Be(whole.Column("score").LocationOf(row));
            }
        }

        whole.LocationOf(39).Line.Should().Be(42);
    }

    [Fact]
    public async Task A_header_only_file_streams_one_empty_chunk_that_carries_the_columns()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "empty.csv");
        await File.WriteAllTextAsync(path, "a,b\n");

        var chunks = await Chunks(path, null, 10);

        chunks.Should().ContainSingle().Which.RowCount.Should().Be(0);
        chunks[0].ColumnNames.Should().Equal("a", "b");
    }

    [Fact]
    public async Task A_malformed_row_in_a_later_chunk_names_its_file_line_and_column()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "bad.csv");
        await File.WriteAllTextAsync(path, "a,b\n" + string.Concat(Enumerable.Range(0, 50).Select(i => $"{i},x\n")) + "1,2,3\n");

        var act = () => Chunks(path, null, 8);

        await act.Should().ThrowAsync<DataFormatException>().WithMessage($"{path}, line 52: expected 2 fields*");
    }

    [Fact]
    public void A_directory_expands_to_its_readable_files_sorted_skipping_hidden_and_marker_files()
    {
        var root = TestPaths.TempDirectory();
        foreach (var name in new[] { "date=2/part-1.csv", "date=2/part-0.csv", "date=1/part-0.csv.gz", "date=1/_SUCCESS", "date=1/.part-0.csv.crc", "notes.md", "_temporary/x.csv" })
        {
            var path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "a\n1\n");
        }

        var files = Readers.ExpandSources(root);

        files.Select(f => Path.GetRelativePath(root, f)).Should().Equal("date=1/part-0.csv.gz", "date=2/part-0.csv", "date=2/part-1.csv");
    }

    [Fact]
    public void A_glob_expands_to_the_files_it_matches_sorted_and_a_glob_matching_nothing_is_an_error()
    {
        var root = TestPaths.TempDirectory();
        foreach (var name in new[] { "b/log-2.csv", "a/log-1.csv", "a/log-1.tsv", "a/deep/log-3.csv", "a/_tmp/log-9.csv", "b/.log-8.csv" })
        {
            var path = Path.Combine(root, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, "a\n1\n");
        }

        Readers.ExpandSources(Path.Combine(root, "*", "log-*.csv")).Select(f => Path.GetRelativePath(root, f))
            .Should().Equal("a/log-1.csv", "b/log-2.csv");
        Readers.ExpandSources(Path.Combine(root, "**", "*.csv")).Select(f => Path.GetRelativePath(root, f))
            .Should().Equal("a/deep/log-3.csv", "a/log-1.csv", "b/log-2.csv");
        Readers.ExpandSources(Path.Combine(root, "a", "log-1.tsv")).Should().ContainSingle();

        var nothing = Path.Combine(root, "*.parquet");
        var act = () => Readers.ExpandSources(nothing);
        act.Should().Throw<DataFormatException>().WithMessage($"{nothing}: no file matches");
        var missing = Path.Combine(root, "missing.csv");
        ((Action)(() => Readers.ExpandSources(missing))).Should().Throw<DataFormatException>().WithMessage($"{missing}: file not found");
    }

    private static async Task<List<DataTable>> Chunks(string path, TableReadRequest? request, int chunkRows)
    {
        var chunks = new List<DataTable>();
        await foreach (var chunk in Readers.ReadChunksAsync(path, request, chunkRows))
        {
            chunks.Add(chunk);
        }

        return chunks;
    }
}
