using System.IO.Compression;
using System.Text;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Tests.Data;

/// <summary>What a file's bytes may hold: UTF-8 text (a BOM and CRLF are fine), never NUL or undecodable bytes, and a gzip stream that is whole.</summary>
public class TextValidityTests
{
    private static async Task<string> Write(string name, byte[] bytes)
    {
        var path = Path.Combine(TestPaths.TempDirectory(), name);
        await File.WriteAllBytesAsync(path, bytes);
        return path;
    }

    private static byte[] Gzip(string text)
    {
        using var buffer = new MemoryStream();
        using (var gzip = new GZipStream(buffer, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return buffer.ToArray();
    }

    [Fact]
    public async Task A_nul_byte_inside_a_field_names_its_line_and_column()
    {
        var path = await Write("nul.csv", Encoding.UTF8.GetBytes("id,name\n1,ab\n2,a\0b\n"));

        var act = () => CsvTableReader.ReadAsync(path, CsvReadOptions.Csv);

        (await act.Should().ThrowAsync<DataFormatException>())
            .WithMessage($"{path}, line 3, column 4: a NUL character (byte 0) in a field*");
    }

    [Fact]
    public async Task A_nul_byte_inside_a_quoted_field_is_an_error_too()
    {
        var path = await Write("nul-quoted.csv", Encoding.UTF8.GetBytes("id,name\n1,\"a\0\"\n"));

        var act = () => CsvTableReader.ReadAsync(path, CsvReadOptions.Csv);

        (await act.Should().ThrowAsync<DataFormatException>()).WithMessage($"{path}, line 2, column 5: a NUL character*");
    }

    [Fact]
    public async Task Bytes_that_are_not_utf8_name_their_line_and_column()
    {
        // Latin-1 "é" (0xE9) followed by a line break is not a UTF-8 sequence.
        var bytes = Encoding.UTF8.GetBytes("id,name\n1,caf").Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes("\n2,x\n")).ToArray();

        var path = await Write("latin1.csv", bytes);
        var act = () => CsvTableReader.ReadAsync(path, CsvReadOptions.Csv);

        (await act.Should().ThrowAsync<DataFormatException>())
            .WithMessage($"{path}, line 2, column 6: bytes that are not valid UTF-8*");
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_is_skipped_and_crlf_ends_lines()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("id,name\r\n1,a\r\n2,\"b\r\nc\"\r\n3,d\r\n")).ToArray();
        var path = await Write("bom.csv", bytes);

        var table = await CsvTableReader.ReadAsync(path, CsvReadOptions.Csv);

        table.ColumnNames.Should().Equal("id", "name");
        table.Column("name")[0].Should().Be("a");
        table.Column("name")[1].Should().Be("b\nc", "a quoted CRLF is one line break in the value");
        table.Column("name")[2].Should().Be("d");
        table.LocationOf(2).Line.Should().Be(5);
    }

    [Theory]
    [InlineData(4)]
    [InlineData(8)]
    [InlineData(2000)]
    public async Task A_gzip_file_cut_short_is_an_error_naming_the_file(int cutBytes)
    {
        var text = new StringBuilder("id,value\n");
        for (var i = 0; i < 5000; i++)
        {
            text.Append(i).Append(',').Append(i * 7 % 13).Append('\n');
        }

        var whole = Gzip(text.ToString());
        var path = await Write("cut.csv.gz", whole[..^cutBytes]);

        var act = () => CsvTableReader.ReadAsync(path, CsvReadOptions.Csv);

        (await act.Should().ThrowAsync<DataFormatException>())
            .WithMessage($"{path}: the gzip stream ends early or is damaged*");
    }

    [Fact]
    public async Task A_whole_gzip_file_reads_and_its_chunks_check_the_end_too()
    {
        var path = await Write("whole.csv.gz", Gzip("id,value\n1,2\n3,4\n"));
        var cut = await Write("cut-chunks.csv.gz", Gzip("id,value\n" + string.Concat(Enumerable.Range(0, 3000).Select(i => $"{i},{i}\n")))[..^6]);

        (await CsvTableReader.ReadAsync(path, CsvReadOptions.Csv)).RowCount.Should().Be(2);
        var act = async () =>
        {
            await foreach (var _ in CsvTableReader.ReadChunksAsync(cut, CsvReadOptions.Csv, chunkRows: 100))
            {
            }
        };

        (await act.Should().ThrowAsync<DataFormatException>()).WithMessage($"{cut}: the gzip stream ends early*");
    }

    [Fact]
    public async Task Concatenated_gzip_members_are_refused_with_a_message_that_says_how_to_fix_them()
    {
        var path = await Write("two.csv.gz", Gzip("id,value\n1,2\n").Concat(Gzip("3,4\n")).ToArray());

        var act = () => CsvTableReader.ReadAsync(path, CsvReadOptions.Csv);

        (await act.Should().ThrowAsync<DataFormatException>()).WithMessage("*several gzip files concatenated*");
    }
}
