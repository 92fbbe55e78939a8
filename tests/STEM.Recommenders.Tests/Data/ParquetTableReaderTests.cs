using System.Globalization;
using System.Text;
using Parquet;
using Parquet.Schema;
using Parquet.Serialization;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Tests.Data;

public class ParquetTableReaderTests
{
    private static readonly ParquetTableReader Reader = new();

    [Fact]
    public async Task Converts_every_value_to_its_invariant_string_and_nulls_to_missing()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "values.parquet");
        await WriteParquetAsync(path, [3],
        [
            (new DataField<int>("id"), new[] { 1, -2, int.MaxValue }),
            (new DataField<long>("big"), new[] { 9_007_199_254_740_993L, 0L, long.MinValue }),
            (new DataField<double>("score"), new[] { 0.1, 1e-7, 20.0 }),
            (new DataField<float>("ratio"), new[] { 0.1f, 3.5f, 1e10f }),
            (new DataField<string>("text", nullable: true), new[] { "a, b", "say \"hi\"", null }),
            (new DataField<string>("blank", nullable: true), new[] { string.Empty, "two\nlines", " " }),
            (new DataField<int?>("opt"), new int?[] { null, 5, null }),
            (new DataField<bool>("flag"), new[] { true, false, true }),
            (new DataField<bool?>("maybe"), new bool?[] { null, true, false }),
            (new DataField<DateOnly>("day"), new[] { new DateOnly(2022, 4, 25), new DateOnly(1999, 12, 31), new DateOnly(2022, 5, 1) }),
            (new DateTimeDataField("at", DateTimeFormat.Timestamp, isAdjustedToUTC: true), new[]
            {
                new DateTime(2022, 4, 25, 13, 59, 0, DateTimeKind.Utc),
                new DateTime(2022, 4, 25, 0, 0, 0, 250, DateTimeKind.Utc),
                new DateTime(2000, 1, 1, 23, 5, 9, DateTimeKind.Utc),
            }),
        ]);

        var table = await Reader.ReadAsync(path);

        table.RowCount.Should().Be(3);
        table.Source.Should().Be(path);
        table.ColumnNames.Should().Equal("id", "big", "score", "ratio", "text", "blank", "opt", "flag", "maybe", "day", "at");
        Values(table, "id").Should().Equal("1", "-2", "2147483647");
        Values(table, "big").Should().Equal("9007199254740993", "0", "-9223372036854775808");
        Values(table, "score").Should().Equal("0.1", "1E-07", "20");

        // A float must not be widened to double first, which would print 0.10000000149011612.
        Values(table, "ratio").Should().Equal("0.1", "3.5", "1E+10");
        Values(table, "text").Should().Equal("a, b", "say \"hi\"", null);
        Values(table, "blank").Should().Equal(null, "two\nlines", " ");
        Values(table, "opt").Should().Equal(null, "5", null);
        Values(table, "flag").Should().Equal("1", "0", "1");
        Values(table, "maybe").Should().Equal(null, "1", "0");
        Values(table, "day").Should().Equal("2022-04-25", "1999-12-31", "2022-05-01");
        Values(table, "at").Should().Equal("2022-04-25T13:59:00Z", "2022-04-25T00:00:00.25Z", "2000-01-01T23:05:09Z");
    }

    [Fact]
    public async Task Each_distinct_value_is_one_string_told_apart_by_its_bits()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "distinct.parquet");
        await WriteParquetAsync(path, [6],
        [
            (new DataField<long>("user"), new[] { 7L, 8L, 7L, 7L, 9L, 8L }),
            (new DataField<double?>("score"), new double?[] { 0.0, -0.0, 1.5, null, 1.5, 0.0 }),
            (new DataField<string>("kind", nullable: true), new[] { "a", "b", "a", string.Empty, null, "a" }),
        ]);

        var table = await Reader.ReadAsync(path);

        Values(table, "user").Should().Equal("7", "8", "7", "7", "9", "8");
        table.Column("user").Store.Count.Should().Be(3, "a value repeated in the file is one string, parsed once by the pipeline");
        table.Column("user").Store.IsShared.Should().BeTrue();
        table.Column("user").CodeOf(0).Should().Be(table.Column("user").CodeOf(3));

        // -0.0 equals 0.0, but their texts differ: as CSV they would be two values.
        Values(table, "score").Should().Equal("0", "-0", "1.5", null, "1.5", "0");
        table.Column("score").Store.Count.Should().Be(3);
        Values(table, "kind").Should().Equal("a", "b", "a", null, null, "a");
        table.Column("kind").Store.Count.Should().Be(2);
    }

    [Fact]
    public async Task Row_groups_streamed_as_chunks_are_dictionary_encoded_too()
    {
        var path = await WriteGroupedAsync();

        await foreach (var chunk in Reader.ReadChunksAsync(path))
        {
            chunk.Column("id").Store.IsShared.Should().BeTrue();
            chunk.Column("id").Store.Count.Should().Be(chunk.RowCount);
        }
    }

    [Fact]
    public void A_dictionary_column_with_a_bad_code_repeated_or_empty_value_is_refused()
    {
        var outside = () => new DictionaryColumn("c", ["x", "y"], [0, 2]);
        outside.Should().Throw<ArgumentException>().WithMessage("Column 'c': row 1 has code 2, outside [-1, 2).*");
        var below = () => new DictionaryColumn("c", ["x"], [-2]);
        below.Should().Throw<ArgumentException>().WithMessage("*row 0 has code -2*");
        var repeated = () => new DictionaryColumn("c", ["x", "x"], [0]);
        repeated.Should().Throw<ArgumentException>().WithMessage("*the value 'x' appears twice*");
        var empty = () => new DictionaryColumn("c", [string.Empty], [0]);
        empty.Should().Throw<ArgumentException>().WithMessage("*value 0 is empty; a missing value is code -1*");
    }

    [Fact]
    public void A_table_from_dictionary_columns_reads_its_values_and_refuses_unequal_lengths()
    {
        var table = DataTable.FromDictionaryColumns("memory", [new DictionaryColumn("a", ["x", "y"], [1, -1, 0, 1]), new DictionaryColumn("b", ["5"], [0, 0, 0, -1])], firstLine: 10);

        Values(table, "a").Should().Equal("y", null, "x", "y");
        Values(table, "b").Should().Equal("5", "5", "5", null);
        table.LocationOf(2).Line.Should().Be(12);
        var unequal = () => DataTable.FromDictionaryColumns("memory", [new DictionaryColumn("a", ["x"], [0, 0]), new DictionaryColumn("b", ["x"], [0])]);
        unequal.Should().Throw<ArgumentException>().WithMessage("Column 'b' has 1 rows, the table 2.*");
    }

    [Fact]
    public async Task Reads_every_row_group_in_order_with_1_based_row_numbers()
    {
        var path = await WriteGroupedAsync();

        var table = await Reader.ReadAsync(path);

        table.RowCount.Should().Be(9);
        Values(table, "id").Should().Equal("10", "11", "12", "13", "14", "15", "16", "17", "18");
        Values(table, "name").Should().Equal("r0", null, "r2", "r3", "r4", null, "r6", "r7", "r8");
        table.LocationOf(0).Line.Should().Be(1);
        table.LocationOf(5).Line.Should().Be(6);
        table.Column("name").LocationOf(8).ToString().Should().Be($"{path}, line 9, column name");
    }

    [Fact]
    public async Task Streams_one_chunk_per_row_group_with_the_file_row_numbers()
    {
        var path = await WriteGroupedAsync();

        var chunks = new List<DataTable>();
        await foreach (var chunk in ((ITableReader)Reader).ReadChunksAsync(path, new TableReadRequest(["name", "id"])))
        {
            chunks.Add(chunk);
        }

        chunks.Select(c => c.RowCount).Should().Equal(3, 2, 4);
        chunks.SelectMany(c => Values(c, "id")).Should().Equal("10", "11", "12", "13", "14", "15", "16", "17", "18");
        chunks[1].ColumnNames.Should().Equal("name", "id");
        chunks[1].Column("name").LocationOf(1).ToString().Should().Be($"{path}, line 5, column name");
        chunks[2].LocationOf(0).Line.Should().Be(6);
    }

    [Fact]
    public async Task Reads_only_the_requested_columns_in_the_requested_order()
    {
        var path = await WriteGroupedAsync();

        var table = await Reader.ReadAsync(path, new TableReadRequest(["name", "id"]));

        table.ColumnNames.Should().Equal("name", "id");
        table.HasColumn("score").Should().BeFalse();
        Values(table, "id").Should().HaveCount(9).And.EndWith("18");
        Values(table, "name")[4].Should().Be("r4");
    }

    [Fact]
    public async Task A_missing_requested_column_names_the_file_and_the_column()
    {
        var path = await WriteGroupedAsync();

        var act = () => Reader.ReadAsync(path, new TableReadRequest(["id", "nope"]));

        var error = (await act.Should().ThrowAsync<DataFormatException>())
            .WithMessage($"{path}, column nope: column 'nope' not found; the file has: id, name, score").Which;
        error.Location.Path.Should().Be(path);
        error.Location.Column.Should().Be("nope");
    }

    [Fact]
    public async Task A_list_column_is_an_error_unless_the_request_leaves_it_out()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "lists.parquet");
        await ParquetSerializer.SerializeAsync(
            new[] { new TaggedRow { Id = 1, Tags = [20, 43] }, new TaggedRow { Id = 2, Tags = [9] } },
            path);

        var all = () => Reader.ReadAsync(path);
        var projected = await Reader.ReadAsync(path, new TableReadRequest(["Id"]));

        (await all.Should().ThrowAsync<DataFormatException>())
            .WithMessage($"{path}, column Tags: column 'Tags' is a list;*TableReadRequest.Columns*");
        Values(projected, "Id").Should().Equal("1", "2");
    }

    [Fact]
    public async Task A_file_that_is_not_parquet_is_an_error_naming_the_file()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "text.parquet");
        await File.WriteAllTextAsync(path, "id,name\n1,a\n2,b\n");

        var act = () => Reader.ReadAsync(path);

        (await act.Should().ThrowAsync<DataFormatException>())
            .WithMessage($"{path}: not a Parquet file, or its footer is damaged (*)")
            .Which.Location.Line.Should().BeNull();
    }

    [Fact]
    public async Task A_truncated_parquet_file_is_an_error_naming_the_file()
    {
        var whole = await WriteGroupedAsync();
        var bytes = await File.ReadAllBytesAsync(whole);
        var path = Path.Combine(TestPaths.TempDirectory(), "truncated.parquet");
        await File.WriteAllBytesAsync(path, bytes[..(bytes.Length / 2)]);

        var act = () => Reader.ReadAsync(path);

        (await act.Should().ThrowAsync<DataFormatException>()).WithMessage($"{path}: not a Parquet file*");
    }

    [Fact]
    public async Task Damaged_column_data_behind_an_intact_footer_names_the_file_and_column()
    {
        var whole = await WriteGroupedAsync();
        var bytes = await File.ReadAllBytesAsync(whole);

        // Page headers and values start right after the leading magic; the footer stays readable.
        Array.Fill(bytes, (byte)0xFF, 4, 40);
        var path = Path.Combine(TestPaths.TempDirectory(), "damaged.parquet");
        await File.WriteAllBytesAsync(path, bytes);

        var act = () => Reader.ReadAsync(path);

        (await act.Should().ThrowAsync<DataFormatException>())
            .WithMessage($"{path}, line 1, column id: cannot read row group 1 of 3;*");
    }

    [Fact]
    public async Task A_missing_file_is_reported_as_not_found()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "absent.parquet");

        var act = () => Reader.ReadAsync(path);

        (await act.Should().ThrowAsync<DataFormatException>()).WithMessage($"{path}: file not found");
    }

    [Fact]
    public async Task The_registry_picks_the_parquet_reader_by_extension_once_added()
    {
        var path = await WriteGroupedAsync();
        var upper = Path.ChangeExtension(path, ".PARQUET");
        File.Copy(path, upper);

        var withoutParquet = () => TableReaderRegistry.CreateDefault().ReadAsync(path);
        var registry = TableReaderRegistry.CreateDefault().AddParquet();
        var table = await registry.ReadAsync(upper, new TableReadRequest(["id"]));

        await withoutParquet.Should().ThrowAsync<DataFormatException>().WithMessage("*no reader for this file type*");
        registry.Readers[0].Should().BeOfType<ParquetTableReader>();
        Reader.CanRead("log.csv").Should().BeFalse();
        Reader.CanRead("log.parquet.gz").Should().BeFalse();
        Values(table, "id").Should().HaveCount(9).And.StartWith("10");
    }

    [Fact]
    public async Task KuaiRand_from_parquet_encodes_exactly_as_the_same_data_from_csv()
    {
        var dir = TestPaths.TempDirectory();
        var data = new KuaiRandTables();
        var csv = await data.WriteAsync(dir, parquet: false);
        var parquet = await data.WriteAsync(dir, parquet: true);
        var registry = TableReaderRegistry.CreateDefault().AddParquet();

        var fromCsv = await KuaiRandPreset.LoadAsync(csv, registry);
        var fromParquet = await KuaiRandPreset.LoadAsync(parquet, registry);
        using var a = fromCsv.Encode();
        using var b = fromParquet.Encode();

        fromParquet.Train.Source.Should().EndWith(".parquet");
        (b.Train.Count, b.Validation.Count, b.Test.Count).Should().Be((14, 3, 3));
        b.Pipeline.ToJson().Should().Be(a.Pipeline.ToJson());
        foreach (var (x, y) in new[] { (a.Train, b.Train), (a.Validation, b.Validation), (a.Test, b.Test) })
        {
            y.Ids.data<long>().ToArray().Should().Equal(x.Ids.data<long>().ToArray());
            y.SlotWeights!.data<float>().ToArray().Should().Equal(x.SlotWeights!.data<float>().ToArray());
            y.Labels.data<float>().ToArray().Should().Equal(x.Labels.data<float>().ToArray());
        }

        // The tables carry real values, so equal encodings are not two empty vocabularies.
        b.Pipeline.Fitted.Single(f => f.Spec.Name == "follow_user_num_range").Vocabulary.Should().Contain("(0,10]");
        b.Pipeline.Fitted.Single(f => f.Spec.Name == "tag").Vocabulary.Should().Contain(["20", "43"]);
        b.Train.Labels.data<float>().ToArray().Should().Contain(1f);
    }

    [Fact]
    public async Task Numbers_stay_typed_and_a_numeric_feature_reads_them_without_making_their_text()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "typed.parquet");
        await WriteParquetAsync(path, [2, 2],
        [
            (new DataField<double>("x"), new[] { 0.5, 2.0, 0.5, -1.25 }),
            (new DataField<long>("n"), new[] { 1L, 9_007_199_254_740_993L, 1L, -3L }),
            (new DataField<float>("f"), new[] { 0.1f, 0.1f, 3.5f, 1e10f }),
            (new DataField<int>("label"), new[] { 1, 0, 1, 0 }),
        ]);
        var table = await Reader.ReadAsync(path);

        var x = table.Column("x");
        x.Store.HoldsNumbers.Should().BeTrue();
        Enumerable.Range(0, 4).Select(r => x.Store.NumberAt(x.CodeOf(r))).Should().Equal(0.5, 2.0, 0.5, -1.25);
        x.Store.Count.Should().Be(3, "each distinct number is kept once");
        var n = table.Column("n");
        n.Store.NumberAt(n.CodeOf(1)).Should().Be(9_007_199_254_740_992d, "an int64 beyond 2^53 is the nearest double, as its text would parse");

        // A float is the number its own round-trip text denotes, as a CSV export or a caller sending text gives it.
        var f = table.Column("f");
        f.Store.NumberAt(f.CodeOf(0)).Should().Be(0.1);
        f.Store.NumberAt(f.CodeOf(3)).Should().Be(1e10);

        var schema = new FeatureSchema
        {
            Features =
            [
                new NumericFeature { Name = "x", Scaling = NumericScaling.None },
                new NumericFeature { Name = "f", Scaling = NumericScaling.Standardize },
                new CategoricalFeature { Name = "f_bucket", Column = "f", MinCount = 1, Transform = ValueTransform.FloorDivide(2) },
            ],
            Tasks = [new TaskSpec { Name = "label" }],
        };
        var pipeline = FeaturePipeline.Fit(schema, table);
        using var data = pipeline.Encode(table);

        var stride = pipeline.Layout.SlotCount;
        var slot = pipeline.Layout.Fields.Single(l => l.Name == "x").FirstSlot;
        var weights = data.SlotWeights!.data<float>().ToArray();
        Enumerable.Range(0, 4).Select(r => weights[(r * stride) + slot]).Should().Equal(0.5f, 2f, 0.5f, -1.25f);
        ((NumberValueStore)x.Store).TextsMade.Should().Be(0, "a numeric feature reads the numbers, it does not format and parse them");
        ((NumberValueStore)f.Store).TextsMade.Should().Be(0, "a transformed categorical key is made from the number too");
        pipeline.Fitted.Single(ff => ff.Spec.Name == "f_bucket").Vocabulary.Should().BeEquivalentTo(["0", "1", "5000000000"]);

        // Text is still there for whoever asks, made once and exact.
        Values(table, "n").Should().Equal("1", "9007199254740993", "1", "-3");
        Values(table, "f").Should().Equal("0.1", "0.1", "3.5", "1E+10");
        ((NumberValueStore)n.Store).TextsMade.Should().Be(3);
    }

    [Fact]
    public async Task A_typed_value_that_is_not_a_finite_number_or_a_day_is_refused_as_its_text_would_be()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "bad.parquet");
        await WriteParquetAsync(path, [3],
        [
            (new DataField<double>("x"), new[] { 1.0, double.NaN, 2.0 }),
            (new DataField<int>("date"), new[] { 20220425, -5, 20220426 }),
            (new DataField<int>("label"), new[] { 1, 0, 1 }),
        ]);
        var csvPath = Path.Combine(TestPaths.TempDirectory(), "bad.csv");
        await File.WriteAllTextAsync(csvPath, "x,date,label\n1,20220425,1\nNaN,-5,0\n2,20220426,1\n");
        var fromParquet = await Reader.ReadAsync(path);
        var fromCsv = await new CsvTableReader().ReadAsync(csvPath);
        var schema = new FeatureSchema { Features = [new NumericFeature { Name = "x" }], Tasks = [new TaskSpec { Name = "label" }] };

        var parquetNumber = () => FeaturePipeline.Fit(schema, fromParquet);
        var csvNumber = () => FeaturePipeline.Fit(schema, fromCsv);
        var expected = parquetNumber.Should().Throw<DataFormatException>().Which;
        expected.Message.Should().Be($"{path}, line 2, column x: 'NaN' is not a number (feature 'x')");
        csvNumber.Should().Throw<DataFormatException>().Which.Problem.Should().Be(expected.Problem);

        var parquetDay = () => DaySplit.Split(fromParquet, "date", null, [20220430], [20220501]);
        var csvDay = () => DaySplit.Split(fromCsv, "date", null, [20220430], [20220501]);
        var day = parquetDay.Should().Throw<DataFormatException>().Which;
        day.Message.Should().Be($"{path}, line 2, column date: '-5' is not a date of the form yyyyMMdd");
        csvDay.Should().Throw<DataFormatException>().Which.Problem.Should().Be(day.Problem);
    }

    [Fact]
    public void Typed_dictionary_columns_refuse_repeated_values_and_bad_codes_and_keep_minus_zero_apart()
    {
        var repeated = () => DictionaryColumn.OfIntegers("c", [4, 4], [0]);
        repeated.Should().Throw<ArgumentException>().WithMessage("Column 'c': the value 4 appears twice*");
        var repeatedNumber = () => DictionaryColumn.OfNumbers("c", [0.5, 0.5], [0]);
        repeatedNumber.Should().Throw<ArgumentException>().WithMessage("Column 'c': the value 0.5 appears twice*");
        var outside = () => DictionaryColumn.OfNumbers("c", [1.0], [0, 1]);
        outside.Should().Throw<ArgumentException>().WithMessage("Column 'c': row 1 has code 1, outside [-1, 1).*");
        var unnamed = () => DictionaryColumn.OfIntegers(string.Empty, [1], [0]);
        unnamed.Should().Throw<ArgumentException>();

        var table = DataTable.FromDictionaryColumns("memory",
        [
            DictionaryColumn.OfNumbers("z", [0.0, -0.0], [0, 1, -1]),
            DictionaryColumn.OfIntegers("i", [7, -2], [1, 0, 0]),
            DictionaryColumn.OfNumbers("t", [1.5], [0, 0, 0], i => "one and a half"),
        ]);
        table.Column("z").Store.Count.Should().Be(2);
        Values(table, "z").Should().Equal("0", "-0", null);
        Values(table, "i").Should().Equal("-2", "7", "7");
        Values(table, "t").Should().Equal("one and a half", "one and a half", "one and a half");
        DictionaryColumn.OfIntegers("i", [7, -2], [1, 0, 0]).ValueCount.Should().Be(2);
    }

    private static string?[] Values(DataTable table, string column)
    {
        var values = table.Column(column);
        return Enumerable.Range(0, values.Count).Select(r => values[r]).ToArray();
    }

    /// <summary>id, name (with nulls) and score in three row groups of 3, 2 and 4 rows.</summary>
    private static async Task<string> WriteGroupedAsync()
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "grouped.parquet");
        await WriteParquetAsync(path, [3, 2, 4],
        [
            (new DataField<int>("id"), Enumerable.Range(10, 9).ToArray()),
            (new DataField<string>("name", nullable: true), Enumerable.Range(0, 9).Select(i => i is 1 or 5 ? null : $"r{i}").ToArray()),
            (new DataField<double>("score"), Enumerable.Range(0, 9).Select(i => i / 4.0).ToArray()),
        ]);
        return path;
    }

    private static async Task WriteParquetAsync(string path, int[] rowGroups, IReadOnlyList<(DataField Field, Array Values)> columns)
    {
        var schema = new ParquetSchema(columns.Select(c => (Field)c.Field));
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, file);
        var start = 0;
        foreach (var size in rowGroups)
        {
            using (var group = writer.CreateRowGroup())
            {
                foreach (var (field, values) in columns)
                {
                    await WriteSliceAsync(group, field, values, start, size);
                }
            }

            start += size;
        }
    }

    private static Task WriteSliceAsync(ParquetRowGroupWriter group, DataField field, Array values, int start, int count) => values switch
    {
        int[] a => group.WriteAsync<int>(field, a.AsMemory(start, count)),
        int?[] a => group.WriteAsync<int>(field, a.AsMemory(start, count)),
        long[] a => group.WriteAsync<long>(field, a.AsMemory(start, count)),
        long?[] a => group.WriteAsync<long>(field, a.AsMemory(start, count)),
        double[] a => group.WriteAsync<double>(field, a.AsMemory(start, count)),
        double?[] a => group.WriteAsync<double>(field, a.AsMemory(start, count)),
        float[] a => group.WriteAsync<float>(field, a.AsMemory(start, count)),
        bool[] a => group.WriteAsync<bool>(field, a.AsMemory(start, count)),
        bool?[] a => group.WriteAsync<bool>(field, a.AsMemory(start, count)),
        DateOnly[] a => group.WriteAsync<DateOnly>(field, a.AsMemory(start, count)),
        DateTime[] a => group.WriteAsync<DateTime>(field, a.AsMemory(start, count)),
        string?[] a => group.WriteAsync(field, a[start..(start + count)]),
        _ => throw new ArgumentException($"no writer for {values.GetType()}", nameof(values)),
    };

    public sealed class TaggedRow
    {
        public int Id { get; set; }

        public List<int> Tags { get; set; } = [];
    }

    /// <summary>
    /// A 20-row KuaiRand log (two row groups in Parquet) with user and video side tables, held as
    /// typed columns and written both as Parquet and as the CSV a user would export from it.
    /// </summary>
    private sealed class KuaiRandTables
    {
        private static readonly int[] Days =
        [
            20220425, 20220425, 20220425, 20220426, 20220426, 20220426, 20220427, 20220427, 20220427, 20220428,
            20220428, 20220428, 20220429, 20220429, 20220430, 20220430, 20220430, 20220501, 20220501, 20220501,
        ];

        private readonly List<(DataField Field, Array Values)> _log;
        private readonly List<(DataField Field, Array Values)> _users;
        private readonly List<(DataField Field, Array Values)> _videos;

        public KuaiRandTables()
        {
            var rows = Enumerable.Range(0, 20).ToArray();
            _log =
            [
                (new DataField<long>("user_id"), rows.Select(i => (long)(i % 5 + 1)).ToArray()),
                (new DataField<long>("video_id"), rows.Select(i => 100L + (i * 7 % 6)).ToArray()),
                (new DataField<int>("date"), Days),
                (new DataField<int>("hourmin"), rows.Select(i => i * 137 % 2400).ToArray()),
                (new DataField<int>("tab"), rows.Select(i => i % 3).ToArray()),
                (new DataField<int>("is_click"), rows.Select(i => i % 2).ToArray()),
                (new DataField<int>("long_view"), rows.Select(i => i / 2 % 2).ToArray()),
                (new DataField<bool>("is_like"), rows.Select(i => i % 5 == 0).ToArray()),
            ];

            // User 5 appears in the log but not here: an unmatched join in both formats.
            var users = new[] { 1, 2, 3, 4 };
            _users =
            [
                (new DataField<long>("user_id"), users.Select(u => (long)u).ToArray()),
                (new DataField<string>("user_active_degree", nullable: true), new[] { "high_active", "full_active", null, "middle_active" }),
                (new DataField<int>("is_lowactive_period"), users.Select(u => u % 2).ToArray()),
                (new DataField<int>("is_live_streamer"), users.Select(u => u / 3).ToArray()),
                (new DataField<int>("is_video_author"), users.Select(u => (u + 1) % 2).ToArray()),
                (new DataField<string>("follow_user_num_range", nullable: true), new[] { "0", "(0,10]", "(0,10]", "(10,50]" }),
                (new DataField<string>("fans_user_num_range", nullable: true), new[] { "[1,10)", "0", "[1,10)", null }),
                (new DataField<string>("friend_user_num_range", nullable: true), new[] { "0", "0", "[1,5)", "[1,5)" }),
                (new DataField<string>("register_days_range", nullable: true), new[] { "61-90", "730+", "730+", "31-60" }),
                .. Enumerable.Range(0, 18).Select(k => ((DataField)new DataField<int?>($"onehot_feat{k}"),
                    (Array)users.Select(u => (u + k) % 7 == 0 ? (int?)null : (u * 3 + k) % 5).ToArray())),
            ];

            var videos = new[] { 100, 101, 102, 103, 104, 105 };
            _videos =
            [
                (new DataField<long>("video_id"), videos.Select(v => (long)v).ToArray()),
                (new DataField<long>("author_id"), videos.Select(v => 9000L + v % 3).ToArray()),
                (new DataField<string>("video_type", nullable: true), new[] { "NORMAL", "AD", "NORMAL", "NORMAL", "AD", "NORMAL" }),
                (new DataField<string>("upload_type", nullable: true), new[] { "ShortImport", "LongImport", "ShortImport", null, "Web", "ShortImport" }),
                (new DataField<int?>("music_type"), new int?[] { 9, null, 4, 9, 11, null }),
                (new DataField<string>("tag", nullable: true), new[] { "20,43", "9", null, "20", "43,9,11", "20,43" }),
                (new DataField<double?>("video_duration"), new double?[] { 87433.0, 5000.5, null, 12000.0, 600250.0, 31.0 }),
            ];
        }

        public async Task<KuaiRandOptions> WriteAsync(string dir, bool parquet)
        {
            var extension = parquet ? ".parquet" : ".csv";
            var log = Path.Combine(dir, "log" + extension);
            var users = Path.Combine(dir, "user_features" + extension);
            var videos = Path.Combine(dir, "video_features" + extension);
            if (parquet)
            {
                await WriteParquetAsync(log, [12, 8], _log);
                await WriteParquetAsync(users, [4], _users);
                await WriteParquetAsync(videos, [6], _videos);
            }
            else
            {
                await WriteCsvAsync(log, _log);
                await WriteCsvAsync(users, _users);
                await WriteCsvAsync(videos, _videos);
            }

            return new KuaiRandOptions { LogPath = log, UserFeaturesPath = users, VideoFeaturesPath = videos, MinCount = 1 };
        }

        private static async Task WriteCsvAsync(string path, List<(DataField Field, Array Values)> columns)
        {
            var text = new StringBuilder();
            text.AppendJoin(',', columns.Select(c => c.Field.Name)).Append('\n');
            for (var r = 0; r < columns[0].Values.Length; r++)
            {
                text.AppendJoin(',', columns.Select(c => Csv(c.Values.GetValue(r)))).Append('\n');
            }

            await File.WriteAllTextAsync(path, text.ToString());
        }

        // As a typical export writes it: floats with a decimal point, booleans as 0/1.
        private static string Csv(object? value) => value switch
        {
            null => string.Empty,
            bool b => b ? "1" : "0",
            double d => d.ToString("0.0##", CultureInfo.InvariantCulture),
            string s when s.Contains(',', StringComparison.Ordinal) || s.Contains('"', StringComparison.Ordinal) => $"\"{s.Replace("\"", "\"\"", StringComparison.Ordinal)}\"",
            string s => s,
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => throw new ArgumentException($"no CSV form for {value.GetType()}", nameof(value)),
        };
    }
}
