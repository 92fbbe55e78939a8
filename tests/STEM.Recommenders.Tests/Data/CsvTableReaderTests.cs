using System.IO.Compression;
using System.Text;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Tests.Data;

public class CsvTableReaderTests
{
    [Fact]
    public void Reads_quoted_fields_with_delimiters_doubled_quotes_and_line_breaks()
    {
        var table = CsvTableReader.Parse("id,text,n\r\n1,\"a, b\",2\r\n2,\"say \"\"hi\"\"\",3\r\n3,\"two\nlines\",4\r\n", "t.csv");

        table.RowCount.Should().Be(3);
        table.Column("text")[0].Should().Be("a, b");
        table.Column("text")[1].Should().Be("say \"hi\"");
        table.Column("text")[2].Should().Be("two\nlines");
        table.Column("n")[2].Should().Be("4");
    }

    [Fact]
    public void Line_numbers_count_physical_lines_including_those_inside_quotes()
    {
        var table = CsvTableReader.Parse("a,b\n1,\"x\ny\nz\"\n2,w\n", "t.csv");

        table.LocationOf(0).Line.Should().Be(2);
        table.LocationOf(1).Line.Should().Be(5);
        table.Column("b").LocationOf(1).ToString().Should().Be("t.csv, line 5, column b");
    }

    [Fact]
    public void Empty_fields_are_missing_and_blank_lines_are_skipped()
    {
        var table = CsvTableReader.Parse("a,b\n1,\n\n,2\n", "t.csv");

        table.RowCount.Should().Be(2);
        table.Column("b")[0].Should().BeNull();
        table.Column("a")[1].Should().BeNull();
    }

    [Fact]
    public async Task Reads_gzip_by_extension_and_tsv_without_quoting()
    {
        var dir = TestPaths.TempDirectory();
        var gz = Path.Combine(dir, "x.csv.gz");
        await using (var file = File.Create(gz))
        await using (var zip = new GZipStream(file, CompressionLevel.Fastest))
        {
            await zip.WriteAsync(Encoding.UTF8.GetBytes("a,b\n1,\"2,3\"\n"));
        }

        var tsv = Path.Combine(dir, "x.tsv");
        await File.WriteAllTextAsync(tsv, "a\tb\n\"q\tz\n");
        var registry = TableReaderRegistry.CreateDefault();

        var fromGz = await registry.ReadAsync(gz);
        var fromTsv = await registry.ReadAsync(tsv);

        fromGz.Column("b")[0].Should().Be("2,3");
        fromTsv.Column("a")[0].Should().Be("\"q");
        fromTsv.Column("b")[0].Should().Be("z");
    }

    [Fact]
    public void Trims_fields_and_uses_given_names_for_a_headerless_file()
    {
        var options = new CsvReadOptions { HasHeader = false, ColumnNames = ["x", "y"], TrimWhitespace = true };

        var table = CsvTableReader.Parse("1, Never married\n2, - 50000.\n", "c.csv", options);

        table.Column("y")[0].Should().Be("Never married");
        table.Column("y")[1].Should().Be("- 50000.");
    }

    [Fact]
    public void A_ragged_row_names_the_file_and_line()
    {
        var act = () => CsvTableReader.Parse("a,b,c\n1,2,3\n4,5\n", "ragged.csv");

        act.Should().Throw<DataFormatException>()
            .WithMessage("ragged.csv, line 3: expected 3 fields (as in the header) but found 2")
            .Which.Location.Line.Should().Be(3);
    }

    [Fact]
    public void An_unterminated_quote_names_the_line_and_column_where_it_opened()
    {
        var act = () => CsvTableReader.Parse("a,b\n1,2\n3,\"open\n4,5\n", "quote.csv");

        act.Should().Throw<DataFormatException>()
            .WithMessage("quote.csv, line 3, column 3: unterminated quoted field*");
    }

    [Fact]
    public void A_stray_quote_inside_an_unquoted_field_is_an_error()
    {
        var act = () => CsvTableReader.Parse("a,b\n1,ab\"c\n", "stray.csv");

        act.Should().Throw<DataFormatException>().WithMessage("stray.csv, line 2, column 5: a quote inside an unquoted field*");
    }

    [Fact]
    public void Text_after_a_closing_quote_is_an_error()
    {
        var act = () => CsvTableReader.Parse("a,b\n1,\"ab\"c\n", "after.csv");

        act.Should().Throw<DataFormatException>().WithMessage("after.csv, line 2, column 7: unexpected character 'c'*");
    }

    [Fact]
    public async Task An_empty_file_is_an_error_naming_the_file()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "empty.csv");
        await File.WriteAllTextAsync(path, string.Empty);

        var act = () => CsvTableReader.ReadAsync(path, CsvReadOptions.Csv);

        (await act.Should().ThrowAsync<DataFormatException>()).WithMessage($"{path}: the file is empty*");
    }

    [Fact]
    public async Task A_missing_file_is_an_error_naming_the_file()
    {
        var act = () => CsvTableReader.ReadAsync("/nonexistent/log.csv", CsvReadOptions.Csv);

        (await act.Should().ThrowAsync<DataFormatException>()).WithMessage("/nonexistent/log.csv: file not found");
    }

    [Fact]
    public void A_missing_column_names_the_file_and_the_column_and_lists_what_exists()
    {
        var table = CsvTableReader.Parse("a,b\n1,2\n", "cols.csv");

        var act = () => table.Column("is_click");

        act.Should().Throw<DataFormatException>().WithMessage("cols.csv, line 1, column is_click: column 'is_click' not found; the table has: a, b");
    }

    [Fact]
    public void A_projected_column_that_the_file_lacks_is_an_error()
    {
        var act = () => CsvTableReader.Parse("a,b\n1,2\n", "proj.csv", CsvReadOptions.Csv with { Columns = ["a", "zz"] });

        act.Should().Throw<DataFormatException>().WithMessage("proj.csv, line 1, column zz: column 'zz' not found*");
    }

    [Fact]
    public void Projection_keeps_only_the_requested_columns_in_the_requested_order()
    {
        var table = CsvTableReader.Parse("a,b,c\n1,2,3\n", "p.csv", CsvReadOptions.Csv with { Columns = ["c", "a"] });

        table.ColumnNames.Should().Equal("c", "a");
        table.Column("c")[0].Should().Be("3");
    }

    [Fact]
    public async Task An_unknown_file_type_is_an_error()
    {
        var act = () => TableReaderRegistry.CreateDefault().ReadAsync("data.xlsx");

        (await act.Should().ThrowAsync<DataFormatException>()).WithMessage("data.xlsx: no reader for this file type*");
    }
}
