using System.Text;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Tests.Data;

/// <summary>
/// The reader's fast paths give what the general paths give: packed keys and the string dictionary
/// one code per distinct value, quoted fields split on the fast path as the state machine splits
/// them, whole-file tables stored row-major read like chunks, and the vocabulary order the ordinal
/// order of the values.
/// </summary>
public class FastPathTests
{
    [Fact]
    public void Packed_and_dictionary_values_get_one_code_each_in_order_of_first_appearance()
    {
        // 1–8 ASCII characters pack; longer, non-ASCII and prefixes of each other do not collide.
        string[] values = ["1", "12", "12345678", "123456789", "a", "ab", "é", "\u00e9t\u00e9", "[1,5)", "12345678", "1", "full_active", "ab", "A"];
        var dictionary = new ValueDictionary();
        var codes = values.Select(v => dictionary.GetOrAdd(v)).ToArray();

        var distinct = values.Distinct(StringComparer.Ordinal).ToArray();
        dictionary.Count.Should().Be(distinct.Length);
        for (var i = 0; i < values.Length; i++)
        {
            codes[i].Should().Be(Array.IndexOf(distinct, values[i]), values[i]);
            dictionary[codes[i]].Should().Be(values[i]);
        }
    }

    [Fact]
    public void A_packed_table_that_grows_keeps_every_code()
    {
        var dictionary = new ValueDictionary();
        for (var i = 0; i < 200_000; i++)
        {
            dictionary.GetOrAdd(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Should().Be(i);
        }

        for (var i = 0; i < 200_000; i += 997)
        {
            dictionary.GetOrAdd(i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Should().Be(i);
        }

        dictionary.Count.Should().Be(200_000);
    }

    [Theory]
    [InlineData("a,\"b,c\",d\n")]
    [InlineData("\"\",x,\"\"\n")]
    [InlineData("\"a\"\"b\",c,d\n")]
    [InlineData("\"a\nb\",c,d\n")]
    [InlineData("1,\"[100,1k)\",\n")]
    [InlineData("\"x\",\"y\",\r\n")]
    public void Quoted_fields_split_as_the_state_machine_splits_them(string row)
    {
        // The same row alone in a chunk (fast path) and after a line the fast path leaves to the
        // state machine (a doubled quote), so both paths see it.
        var text = "h1,h2,h3\n" + row;
        var viaFastPath = CsvTableReader.Parse(text, "t.csv");
        var viaStateMachine = CsvTableReader.Parse("h1,h2,h3\n\"\"\"q\",r,s\n" + row, "t.csv");

        viaFastPath.RowCount.Should().Be(1);
        foreach (var name in new[] { "h1", "h2", "h3" })
        {
            viaFastPath.Column(name)[0].Should().Be(viaStateMachine.Column(name)[1], $"{name} of {row}");
        }
    }

    [Fact]
    public void A_quote_inside_an_unquoted_field_is_still_an_error_with_its_column()
    {
        var act = () => CsvTableReader.Parse("a,b\nx,y\"z\n", "t.csv");

        act.Should().Throw<DataFormatException>().Which.Message.Should().Contain("t.csv").And.Contain("line 2").And.Contain("column 4");
    }

    [Fact]
    public async Task A_whole_file_table_reads_like_its_chunks_and_joins_like_them()
    {
        var text = new StringBuilder("id,a,b,c\n");
        for (var i = 0; i < 5_000; i++)
        {
            text.Append(i).Append(',').Append(i % 7 == 0 ? string.Empty : (i % 13).ToString(System.Globalization.CultureInfo.InvariantCulture)).Append(",\"q").Append(i % 3).Append("\",").Append(i * 31 % 101).Append('\n');
        }

        var path = Path.Combine(TestPaths.TempDirectory(), "side.csv");
        await File.WriteAllTextAsync(path, text.ToString());
        var whole = await CsvTableReader.ReadAsync(path, CsvReadOptions.Csv);
        var rows = new List<(string?, string?, string?, string?, long?)>();
        await foreach (var chunk in CsvTableReader.ReadChunksAsync(path, CsvReadOptions.Csv, chunkRows: 700))
        {
            for (var r = 0; r < chunk.RowCount; r++)
            {
                rows.Add((chunk.Column("id")[r], chunk.Column("a")[r], chunk.Column("b")[r], chunk.Column("c")[r], chunk.Column("b").LocationOf(r).Line));
            }
        }

        whole.RowCount.Should().Be(5_000);
        for (var r = 0; r < whole.RowCount; r++)
        {
            (whole.Column("id")[r], whole.Column("a")[r], whole.Column("b")[r], whole.Column("c")[r], whole.Column("b").LocationOf(r).Line).Should().Be(rows[r]);
        }

        // Joined in random order, the stored-together columns still give each key its own row.
        var keys = Enumerable.Range(0, 300).Select(i => (i * 7919 % 5_000).ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        var log = DataTable.FromColumns("log.csv", [new KeyValuePair<string, string?[]>("id", keys)]);
        var joined = log.LeftJoin(whole, "id");
        for (var i = 0; i < keys.Length; i++)
        {
            var k = int.Parse(keys[i], System.Globalization.CultureInfo.InvariantCulture);
            joined.Column("c")[i].Should().Be((k * 31 % 101).ToString(System.Globalization.CultureInfo.InvariantCulture));
            joined.Column("b")[i].Should().Be($"q{k % 3}");
            joined.Column("c").LocationOf(i).Line.Should().Be(k + 2);
        }
    }

    [Fact]
    public void The_vocabulary_is_ordered_by_count_then_ordinally_as_string_comparison_orders_it()
    {
        var random = new Random(11);
        string[] alphabet = ["0", "1", "9", "a", "Z", "é", "\u0001", "日", "[", ",", "\uFFFF", "00"];
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(1, 12);
            var value = string.Concat(Enumerable.Range(0, length).Select(_ => alphabet[random.Next(alphabet.Length)]));
            counts[value] = random.Next(1, 4);
        }

        var expected = counts.Where(kv => kv.Value >= 2).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key).ToArray();

        FieldEncoder.BuildVocabulary(counts, minCount: 2).Should().Equal(expected);
    }
}
