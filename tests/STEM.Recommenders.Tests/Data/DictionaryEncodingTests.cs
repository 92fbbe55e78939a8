using System.Text;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Tests.Data;

/// <summary>Columns read from text are dictionary-encoded: one string per distinct value, shared by every chunk of the file.</summary>
public class DictionaryEncodingTests
{
    private static async Task<string> Log(int rows, bool quotedBreak = false)
    {
        var text = new StringBuilder("user,day,note\n");
        for (var i = 0; i < rows; i++)
        {
            text.Append('u').Append(i % 17).Append(',').Append(20220401 + i % 3).Append(',');
            text.Append(quotedBreak && i == 5 ? "\"a\nb\"" : i % 4 == 0 ? string.Empty : "n").Append('\n');
        }

        var path = Path.Combine(TestPaths.TempDirectory(), "log.csv");
        await File.WriteAllTextAsync(path, text.ToString());
        return path;
    }

    private static async Task<List<DataTable>> Chunks(IAsyncEnumerable<DataTable> source)
    {
        var chunks = new List<DataTable>();
        await foreach (var chunk in source)
        {
            chunks.Add(chunk);
        }

        return chunks;
    }

    [Fact]
    public async Task A_value_repeated_across_chunks_is_one_string_in_one_dictionary()
    {
        var chunks = await Chunks(CsvTableReader.ReadChunksAsync(await Log(20_000), CsvReadOptions.Csv, chunkRows: 30));

        chunks.Should().HaveCountGreaterThan(3);
        var first = chunks[0].Column("user");
        foreach (var chunk in chunks)
        {
            chunk.Column("user").Store.Should().BeSameAs(first.Store);
        }

        first.Store.Count.Should().Be(17);
        var last = chunks[^1].Column("user");
        ReferenceEquals(first[0], last[last.Count - 1]).Should().Be(first[0] == last[last.Count - 1], "equal values are the same string");
        chunks[0].Column("user").CodeOf(0).Should().Be(chunks[0].Column("user").CodeOf(17), "rows 0 and 17 hold the same user");
        ReferenceEquals(chunks[0].Column("user")[0], chunks[0].Column("user")[17]).Should().BeTrue();
        chunks[0].Column("note")[0].Should().BeNull("an empty field is missing");
        chunks[0].Column("note").CodeOf(0).Should().Be(-1);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_replayed_recording_is_the_read_it_recorded(bool quotedBreak)
    {
        var path = await Log(20_000, quotedBreak);
        using var recording = new ChunkRecording(Path.Combine(TestPaths.TempDirectory(), "log.codes"));

        var read = await Chunks(recording.RecordAsync(CsvTableReader.ReadChunksAsync(path, CsvReadOptions.Csv, chunkRows: 40)));
        recording.IsComplete.Should().BeTrue();
        var replayed = await Chunks(recording.ReplayAsync());

        replayed.Select(c => c.RowCount).Should().Equal(read.Select(c => c.RowCount));
        for (var k = 0; k < read.Count; k++)
        {
            replayed[k].Source.Should().Be(read[k].Source);
            replayed[k].ColumnNames.Should().Equal(read[k].ColumnNames);
            foreach (var name in read[k].ColumnNames)
            {
                var (a, b) = (read[k].Column(name), replayed[k].Column(name));
                b.Store.Should().BeSameAs(a.Store);
                for (var r = 0; r < a.Count; r++)
                {
                    b[r].Should().Be(a[r]);
                    b.LocationOf(r).Should().Be(a.LocationOf(r));
                }
            }
        }

        read.Should().HaveCountGreaterThan(3);
        read.Sum(c => c.RowCount).Should().Be(20_000);
        read[^1].LocationOf(read[^1].RowCount - 1).Line.Should().Be(quotedBreak ? 20_002 : 20_001);
    }

    [Fact]
    public async Task A_chunk_that_is_not_dictionary_encoded_leaves_the_recording_incomplete()
    {
        using var recording = new ChunkRecording(Path.Combine(TestPaths.TempDirectory(), "plain.codes"));
        async IAsyncEnumerable<DataTable> Plain()
        {
            await Task.Yield();
            yield return DataTable.FromColumns("memory", [new("a", ["x", "y"])]);
        }

        (await Chunks(recording.RecordAsync(Plain()))).Should().ContainSingle();

        recording.IsComplete.Should().BeFalse();
        var act = async () => await Chunks(recording.ReplayAsync());
        await act.Should().ThrowAsync<InvalidOperationException>();
    }
}
