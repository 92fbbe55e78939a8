using STEM.Recommenders.Data;

namespace STEM.Recommenders.Tests.Data;

/// <summary>
/// The record parser's states driven directly, with the same text fed whole (the fast path for
/// plain lines) and in chunks of 1, 2, 3 and 5 characters (every state boundary falls between two
/// chunks somewhere): the records, their first physical line, and the line and column of each error
/// must not depend on the chunking (the mutation run in docs/testing.md showed which paths no test
/// asserted).
/// </summary>
public class CsvRecordParserStateTests
{
    private static readonly int[] ChunkSizes = [int.MaxValue, 1, 2, 3, 5];

    private static List<(long Line, string[] Fields)> Parse(string text, int chunk, CsvReadOptions? options = null)
    {
        var records = new List<(long, string[])>();
        var parser = new CsvRecordParser("t.csv", options ?? CsvReadOptions.Csv, (record, line) =>
            records.Add((line, Enumerable.Range(0, record.Count).Select(i => record[i].ToString()).ToArray())));
        for (var start = 0; start < text.Length; start += Math.Min(chunk, text.Length - start))
        {
            parser.Feed(text.AsSpan(start, Math.Min(chunk, text.Length - start)));
        }

        parser.Complete();
        return records;
    }

    private static void Expect(string text, CsvReadOptions? options, params (long Line, string[] Fields)[] expected)
    {
        foreach (var chunk in ChunkSizes)
        {
            var records = Parse(text, chunk, options);
            records.Select(r => r.Line).Should().Equal(expected.Select(e => e.Line), $"chunks of {chunk}");
            for (var i = 0; i < expected.Length; i++)
            {
                records[i].Fields.Should().Equal(expected[i].Fields, $"record {i}, chunks of {chunk}");
            }
        }
    }

    private static void ExpectError(string text, long line, int column, string problem, CsvReadOptions? options = null)
    {
        foreach (var chunk in ChunkSizes)
        {
            var act = () => Parse(text, chunk, options);
            var error = act.Should().Throw<DataFormatException>($"chunks of {chunk}").Which;
            error.Location.Path.Should().Be("t.csv");
            error.Location.Line.Should().Be(line, $"chunks of {chunk}");
            error.Location.Column.Should().Be(column.ToString(System.Globalization.CultureInfo.InvariantCulture), $"chunks of {chunk}");
            error.Problem.Should().StartWith(problem);
        }
    }

    [Fact]
    public void Lf_crlf_and_lone_cr_all_end_records_and_count_lines()
    {
        Expect("a,b\n1,2\n", null, (1, ["a", "b"]), (2, ["1", "2"]));
        Expect("a,b\r\n1,2\r\n", null, (1, ["a", "b"]), (2, ["1", "2"]));
        Expect("a,b\r1,2\r3,4", null, (1, ["a", "b"]), (2, ["1", "2"]), (3, ["3", "4"]));
        Expect("a\r\n\r\n\nb\r\rc", null, (1, ["a"]), (4, ["b"]), (6, ["c"]));
    }

    [Fact]
    public void Blank_lines_are_skipped_but_counted_and_a_last_line_needs_no_newline()
    {
        Expect("\n\na\n\n\nb", null, (3, ["a"]), (6, ["b"]));
        Expect("", null);
        Expect("\n\r\n", null);
    }

    [Fact]
    public void Empty_fields_are_kept_at_the_start_the_middle_and_the_end()
    {
        Expect(",,\n", null, (1, ["", "", ""]));
        Expect("a,\n,b\n", null, (1, ["a", ""]), (2, ["", "b"]));
        Expect("\"\",x\n\"\"", null, (1, ["", "x"]), (2, [""]));
        Expect(",", null, (1, ["", ""]));
    }

    [Fact]
    public void Quoted_fields_keep_delimiters_doubled_quotes_and_line_breaks_and_lines_still_count()
    {
        Expect("\"x,y\",\"he said \"\"hi\"\"\"\n\"multi\r\nline\",z\nlast,1", null,
            (1, ["x,y", "he said \"hi\""]),
            (2, ["multi\nline", "z"]),
            (4, ["last", "1"]));
        Expect("\"a\rb\"\n\"\"\"\"\n", null, (1, ["a\nb"]), (3, ["\""]));
        Expect("\"q\"\r\n\"r\"\rs", null, (1, ["q"]), (2, ["r"]), (3, ["s"]));
    }

    [Fact]
    public void Trimming_drops_spaces_around_unquoted_fields_and_after_a_closing_quote_only()
    {
        var trim = CsvReadOptions.Csv with { TrimWhitespace = true };
        Expect("  a , b  \n", trim, (1, ["a", "b"]));
        Expect("\" a \"  , b\n", trim, (1, [" a ", "b"]));
        Expect("  a , b  \n", null, (1, ["  a ", " b  "]));
        ExpectError("\"a\" ,b\n", 1, 4, "unexpected character ' ' after a closing quote");
    }

    [Fact]
    public void Without_a_quote_character_quotes_are_data()
    {
        var tsv = CsvReadOptions.Tsv;
        Expect("a\"b\tc\n\"d\"\te\n", tsv, (1, ["a\"b", "c"]), (2, ["\"d\"", "e"]));
        FluentActions.Invoking(() => new CsvRecordParser("t.csv", CsvReadOptions.Csv with { Quote = ',' }, (_, _) => { }))
            .Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Quote_errors_name_the_line_and_column()
    {
        ExpectError("ab\"c\n", 1, 3, "a quote inside an unquoted field");
        ExpectError("a,b\nc\"d\n", 2, 2, "a quote inside an unquoted field");
        ExpectError("\"ab\"x,1\n", 1, 5, "unexpected character 'x' after a closing quote");
        ExpectError("\"a\nb\"c\n", 2, 3, "unexpected character 'c' after a closing quote");
        ExpectError("x\na,\"bc\nd", 2, 3, "unterminated quoted field");
        ExpectError("\"", 1, 1, "unterminated quoted field");
    }

    [Fact]
    public void Nul_and_undecodable_characters_are_errors_in_every_state()
    {
        var invalid = CsvRecordParser.InvalidUtf8;
        ExpectError("a\0b\n", 1, 2, "a NUL character");
        ExpectError("\0\n", 1, 1, "a NUL character");
        ExpectError("ok\n\"a\0\"\n", 2, 3, "a NUL character");
        ExpectError("\"a\"\0", 1, 4, "a NUL character");
        ExpectError($"a{invalid}\n", 1, 2, "bytes that are not valid UTF-8");
        ExpectError($"{invalid}", 1, 1, "bytes that are not valid UTF-8");
        ExpectError($"\"{invalid}\"", 1, 2, "bytes that are not valid UTF-8");
        ExpectError($"x,y\nab,c{invalid}", 2, 5, "bytes that are not valid UTF-8");
    }
}
