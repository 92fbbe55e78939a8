using System.Globalization;
using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Nodes;
using Parquet;
using Parquet.Schema;
using STEM.Recommenders.Cli.Infrastructure;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>
/// Sharded batch scoring (docs/scale-out.md): directories and globs as inputs, one output per input
/// file, <c>--shard i/n</c>, atomic outputs, and evaluation states that merge into the single-run report.
/// </summary>
[Collection(TrainedModelGroup.Name)]
public sealed class ShardedScoringTests : IDisposable
{
    private readonly TrainedModel _trained;
    private readonly string _dir = TestPaths.TempDirectory();
    private readonly string[] _header;
    private readonly string[] _rows;

    public ShardedScoringTests(TrainedModel trained)
    {
        _trained = trained;
        var lines = File.ReadAllLines(trained.DataCsv);
        _header = lines[0].Split(',');
        _rows = lines[1..];
    }

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public async Task A_directory_scores_into_one_output_per_input_file_with_the_partition_layout()
    {
        var data = await PartitionedAsync("data");
        var output = Path.Combine(_dir, "scores");
        var result = await Stem.SucceedAsync("predict", "--model", _trained.Artifact, "--input", data, "--output", output, "--keep", "group,category", "--json");

        var json = result.Json();
        json.GetProperty("inputFiles").GetInt32().Should().Be(Partitions.Length);
        json.GetProperty("format").GetString().Should().Be("parquet");
        json.GetProperty("rows").GetInt64().Should().Be(_rows.Length + 100, "the last partition repeats 100 rows");
        Outputs(output).Should().Equal(Partitions.Select(p => ScoreFormat.Parquet.OutputName(p)).Order(StringComparer.Ordinal), "markers (_SUCCESS, .crc, _temporary/) are not inputs");

        // Each output holds its input's rows in order, scored as a single-file run scores that file.
        foreach (var partition in Partitions)
        {
            var scored = await ReadAsync(Path.Combine(output, ScoreFormat.Parquet.OutputName(partition)));
            var alone = await Stem.SucceedAsync("predict", "--model", _trained.Artifact, "--input", Path.Combine(data, partition), "--output", "-", "--keep", "group,category", "--quiet");
            scored.Should().Equal(alone.Stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd()), partition);
        }
    }

    [Fact]
    public async Task Every_input_file_is_scored_by_exactly_one_shard_and_the_shards_together_equal_one_run()
    {
        var data = await PartitionedAsync("data");
        var single = Path.Combine(_dir, "single");
        await Stem.SucceedAsync("predict", "--model", _trained.Artifact, "--input", data, "--output", single, "--format", "csv");
        var expected = Outputs(single);
        expected.Should().HaveCount(Partitions.Length);

        for (var n = 1; n <= 4; n++)
        {
            var output = Path.Combine(_dir, $"n{n}");
            var scoredBy = new Dictionary<int, int>();
            for (var i = 0; i < n; i++)
            {
                // Another chunk size than the single run: streaming must not change a byte.
                var json = (await Stem.SucceedAsync("predict", "--model", _trained.Artifact, "--input", data, "--output", output, "--format", "csv", "--shard", $"{i}/{n}", "--chunk-rows", "37", "--json")).Json();
                json.GetProperty("shard").GetString().Should().Be($"{i}/{n}");
                foreach (var file in json.GetProperty("files").EnumerateArray())
                {
                    var index = file.GetProperty("index").GetInt32();
                    (index % n).Should().Be(i);
                    scoredBy.TryAdd(index, i).Should().BeTrue($"input file {index} is scored once for n = {n}");
                }
            }

            scoredBy.Keys.Order().Should().Equal(Enumerable.Range(0, Partitions.Length), $"n = {n} covers every input file");
            Outputs(output).Should().Equal(expected);
            foreach (var name in expected)
            {
                File.ReadAllBytes(Path.Combine(output, name)).Should().Equal(File.ReadAllBytes(Path.Combine(single, name)), $"{name} for n = {n}");
            }
        }
    }

    [Fact]
    public async Task A_glob_names_outputs_relative_to_its_base_directory()
    {
        var data = await PartitionedAsync("data");
        var output = Path.Combine(_dir, "glob");
        await Stem.SucceedAsync("predict", "--model", _trained.Artifact, "--input", Path.Combine(data, "date=*", "*.csv"), "--output", output, "--format", "tsv.gz");
        Outputs(output).Should().Equal("date=20220425/part-0.tsv.gz", "date=20220426/part-0.tsv.gz");
    }

    [Fact]
    public async Task Outputs_already_present_are_refused_unless_overwrite_and_a_rerun_writes_the_same_bytes()
    {
        var data = await PartitionedAsync("data");
        var output = Path.Combine(_dir, "scores");
        string[] args = ["predict", "--model", _trained.Artifact, "--input", data, "--output", output, "--shard", "1/2"];
        await Stem.SucceedAsync(args);
        var first = Outputs(output).ToDictionary(n => n, n => File.ReadAllBytes(Path.Combine(output, n)));
        first.Should().HaveCount(2, "shard 1/2 of 5 files takes files 1 and 3");

        var refused = await Stem.RunAsync(args);
        refused.ExitCode.Should().Be(2);
        refused.ErrorLine.Should().Be($"stem: error: --output: '{output}' already holds 2 of the 2 outputs of this run, e.g. {Path.Combine(output, ScoreFormat.Parquet.OutputName(Partitions[1]))}; give --overwrite to replace them");

        // The other shard's outputs are not this run's: a sibling worker is never refused.
        await Stem.SucceedAsync("predict", "--model", _trained.Artifact, "--input", data, "--output", output, "--shard", "0/2");

        await Stem.SucceedAsync([.. args, "--overwrite"]);
        foreach (var (name, bytes) in first)
        {
            File.ReadAllBytes(Path.Combine(output, name)).Should().Equal(bytes, $"re-running a shard rewrites {name} identically");
        }

        Directory.EnumerateFiles(output, "*.tmp", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Fact]
    public async Task A_data_error_mid_file_leaves_no_output_and_names_the_input_line()
    {
        var data = Path.Combine(_dir, "bad");
        Directory.CreateDirectory(data);
        File.WriteAllLines(Path.Combine(data, "a.csv"), [string.Join(',', _header), .. _rows[..100]]);
        var lines = new[] { string.Join(',', _header) }.Concat(_rows[..200]).ToArray();
        var fields = lines[150].Split(',');
        fields[3] = "abc";
        lines[150] = string.Join(',', fields);
        var bad = Path.Combine(data, "b.csv");
        File.WriteAllLines(bad, lines);

        var output = Path.Combine(_dir, "scores");
        var result = await Stem.RunAsync("predict", "--model", _trained.Artifact, "--input", data, "--output", output, "--chunk-rows", "50");
        result.ExitCode.Should().Be(1);
        result.ErrorLines[^1].Should().Be($"stem: error: {bad}, line 151, column x3: 'abc' is not a number (feature 'x3')");
        File.Exists(Path.Combine(output, "a.parquet")).Should().BeTrue("the file before the bad one is complete");
        Directory.EnumerateFileSystemEntries(output).Select(Path.GetFileName).Should().Equal(["a.parquet"], "the bad file's first chunks were written to a temporary file, which is removed");
    }

    [Fact]
    public async Task A_write_failure_names_the_output_file_and_removes_the_partial_file()
    {
        var data = await PartitionedAsync("data");
        var output = Path.Combine(_dir, "scores");
        var blocked = Path.Combine(output, ScoreFormat.Csv.OutputName(Partitions[0]));
        Directory.CreateDirectory(Path.Combine(blocked, "not-empty"));

        var result = await Stem.RunAsync("predict", "--model", _trained.Artifact, "--input", data, "--output", output, "--format", "csv", "--overwrite", "--shard", "0/5");
        result.ExitCode.Should().Be(1);
        result.ErrorLines[^1].Should().StartWith($"stem: error: {blocked}: could not write the output (").And.EndWith("); the partial file was removed");
        Directory.EnumerateFiles(output, "*", SearchOption.AllDirectories).Should().BeEmpty();
    }

    [Theory]
    [InlineData("ragged", 3)]
    [InlineData("text", 5)]
    [InlineData("label", 4)]
    public async Task A_bad_row_in_a_later_chunk_is_rejected_with_the_message_of_a_whole_file_read(string kind, int line)
    {
        var path = _trained.CsvWithLine($"chunked-{kind}.csv", line, fields =>
        {
            switch (kind)
            {
                case "ragged":
                    return string.Join(',', fields[..^1]);
                case "text":
                    fields[3] = "abc";
                    break;
                default:
                    fields[^1] = "yes";
                    break;
            }

            return string.Join(',', fields);
        });

        var whole = await Stem.RunAsync("evaluate", "--model", _trained.Artifact, "--data", path);
        var chunked = await Stem.RunAsync("evaluate", "--model", _trained.Artifact, "--data", path, "--chunk-rows", "2");
        whole.ExitCode.Should().Be(1);
        chunked.ExitCode.Should().Be(1);
        chunked.ErrorLines[^1].Should().Be(whole.ErrorLines[^1]).And.StartWith($"stem: error: {path}, line {line}");
        if (kind != "label")
        {
            var output = Path.Combine(_dir, $"{kind}.csv");
            var predicted = await Stem.RunAsync("predict", "--model", _trained.Artifact, "--input", path, "--output", output, "--chunk-rows", "2");
            predicted.ErrorLines[^1].Should().Be(whole.ErrorLines[^1]);
            Directory.EnumerateFiles(_dir).Should().BeEmpty("the partial output is removed");
        }
    }

    [Theory]
    [InlineData("3/2")]
    [InlineData("0/0")]
    [InlineData("a/b")]
    [InlineData("-1/2")]
    [InlineData("1")]
    [InlineData("1/2/3")]
    [InlineData(" 1/2")]
    public async Task Bad_shard_specs_name_the_option_and_the_rule(string spec)
    {
        var result = await Stem.RunAsync("predict", "--model", _trained.Artifact, "--input", _trained.DataCsv, "--output", Path.Combine(_dir, "x"), $"--shard={spec}");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be($"stem: error: --shard: '{spec}' is not i/n with 0 <= i < n (worker i of n, e.g. 0/4 for the first of 4 workers)");

        var evaluate = await Stem.RunAsync("evaluate", "--model", _trained.Artifact, "--data", _trained.DataCsv, $"--shard={spec}");
        evaluate.ExitCode.Should().Be(2);
        evaluate.ErrorLine.Should().Be(result.ErrorLine);
    }

    [Fact]
    public async Task An_output_directory_inside_the_input_directory_is_refused()
    {
        var data = await PartitionedAsync("data");
        var output = Path.Combine(data, "scores");
        var result = await Stem.RunAsync("predict", "--model", _trained.Artifact, "--input", data, "--output", output);
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be($"stem: error: --output: '{output}' is inside the input directory '{data}', so that its outputs would become inputs of later runs; write them elsewhere");
    }

    [Fact]
    public async Task Two_inputs_with_one_output_name_are_refused()
    {
        var a = Path.Combine(_dir, "a", "rows.csv");
        var b = Path.Combine(_dir, "b", "rows.csv.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(a)!);
        Directory.CreateDirectory(Path.GetDirectoryName(b)!);
        File.Copy(_trained.DataCsv, a);
        await WriteGzipAsync(b, File.ReadAllLines(_trained.DataCsv));
        var output = Path.Combine(_dir, "scores");
        var result = await Stem.RunAsync("predict", "--model", _trained.Artifact, "--input", a, b, "--output", output);
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be($"stem: error: --input: '{a}' and '{b}' would both write {Path.Combine(output, "rows.parquet")}; score them into different output directories");
    }

    [Fact]
    public async Task One_input_file_scores_into_a_parquet_file_and_format_is_for_directories()
    {
        var output = Path.Combine(_dir, "scores.parquet");
        await Stem.SucceedAsync("predict", "--model", _trained.Artifact, "--input", _trained.DataCsv, "--output", output, "--keep", "group", "--chunk-rows", "128");
        var csv = await Stem.SucceedAsync("predict", "--model", _trained.Artifact, "--input", _trained.DataCsv, "--output", "-", "--keep", "group", "--quiet");
        (await ReadAsync(output)).Should().Equal(csv.Stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd()));

        var result = await Stem.RunAsync("predict", "--model", _trained.Artifact, "--input", _trained.DataCsv, "--output", Path.Combine(_dir, "x.csv"), "--format", "parquet");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --format: a single output file's format follows its extension (.csv, .tsv, .parquet, .gz); --format applies when --output is a directory");
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public async Task Merged_shard_states_print_the_report_of_one_run(int shards)
    {
        var data = await PartitionedAsync("data");
        string[] evaluate = ["evaluate", "--model", _trained.Artifact, "--data", data];
        var single = await Stem.SucceedAsync([.. evaluate, "--json"]);
        var singleTables = await Stem.SucceedAsync(evaluate);
        var states = Path.Combine(_dir, "states");
        for (var i = 0; i < shards; i++)
        {
            await Stem.SucceedAsync([.. evaluate, "--shard", $"{i}/{shards}", "--state-output", Path.Combine(states, $"shard-{i}.json{(i == 0 ? ".gz" : string.Empty)}"), "--chunk-rows", "64"]);
        }

        var merged = await Stem.SucceedAsync("evaluate", "--merge-states", states, "--json");
        merged.Stdout.Should().Be(single.Stdout, "merged states report bit for bit what one run over all files reports");
        var mergedTables = await Stem.SucceedAsync("evaluate", "--merge-states", Path.Combine(states, "shard-*"));
        mergedTables.Stdout.Should().Be(singleTables.Stdout);

        var json = single.Json();
        json.GetProperty("files").GetArrayLength().Should().Be(Partitions.Length);
        json.GetProperty("combined").GetProperty("tasks")[0].GetProperty("count").GetInt64().Should().Be(_rows.Length + 100);
    }

    [Fact]
    public async Task Evaluation_does_not_depend_on_the_chunk_size()
    {
        var data = await PartitionedAsync("data");
        var whole = await Stem.SucceedAsync("evaluate", "--model", _trained.Artifact, "--data", data, "--json");
        var chunked = await Stem.SucceedAsync("evaluate", "--model", _trained.Artifact, "--data", data, "--json", "--chunk-rows", "7");
        chunked.Stdout.Should().Be(whole.Stdout);
    }

    [Fact]
    public async Task Damaged_mismatched_missing_or_repeated_states_are_errors_naming_the_file()
    {
        var data = await PartitionedAsync("data");
        var states = Path.Combine(_dir, "states");
        for (var i = 0; i < 3; i++)
        {
            await Stem.SucceedAsync("evaluate", "--model", _trained.Artifact, "--data", data, "--shard", $"{i}/3", "--state-output", Path.Combine(states, $"shard-{i}.json"), "--quiet");
        }

        var s0 = Path.Combine(states, "shard-0.json");
        var s1 = Path.Combine(states, "shard-1.json");
        var s2 = Path.Combine(states, "shard-2.json");

        var missing = await Stem.RunAsync("evaluate", "--merge-states", s0, s2);
        missing.ExitCode.Should().Be(2);
        missing.ErrorLine.Should().Be("stem: error: --merge-states: the 2 states cover 3 of the 5 input files: the state of shard 1/3 is missing");

        var repeated = await Stem.RunAsync("evaluate", "--merge-states", s0, s1, s2, s0);
        repeated.ExitCode.Should().Be(1);
        repeated.ErrorLine.Should().StartWith($"stem: error: {s0}: input file 0 (").And.EndWith($") is also in {s0}; give each shard's state once");

        var truncated = Path.Combine(_dir, "truncated.json");
        File.WriteAllText(truncated, File.ReadAllText(s1)[..200]);
        var damaged = await Stem.RunAsync("evaluate", "--merge-states", s0, truncated, s2);
        damaged.ExitCode.Should().Be(1);
        damaged.ErrorLine.Should().StartWith($"stem: error: {truncated}: not a valid evaluation state: ");

        var otherModel = Edit("other-model.json", s1, node => node["modelName"] = "ple");
        var model = await Stem.RunAsync("evaluate", "--merge-states", s0, otherModel, s2);
        model.ExitCode.Should().Be(1);
        model.ErrorLine.Should().StartWith($"stem: error: {otherModel}: the state's model is ple (created ").And.EndWith($"but {s0}'s is mmoe (created {ModelCreated(s0)}); merge the states of one model over one input list");

        var otherTasks = Edit("other-tasks.json", s1, node =>
        {
            node["tasks"] = new JsonArray("task0", "buy");
            foreach (var file in node["files"]!.AsArray())
            {
                file!["state"]!["tasks"]![1]!["task"] = "buy";
            }
        });
        var tasks = await Stem.RunAsync("evaluate", "--merge-states", s0, otherTasks, s2);
        tasks.ExitCode.Should().Be(1);
        tasks.ErrorLine.Should().Be($"stem: error: {otherTasks}: the state's tasks is task0, buy but {s0}'s is task0, task1; merge the states of one model over one input list");

        var badRuns = Edit("bad-runs.json", s1, node => node["files"]![0]!["state"]!["tasks"]![0]!["groups"]!["positives"]![0] = -3);
        var runs = await Stem.RunAsync("evaluate", "--merge-states", s0, badRuns, s2);
        runs.ExitCode.Should().Be(1);
        runs.ErrorLine.Should().StartWith($"stem: error: {badRuns}: not a valid evaluation state: $.files[0].state.tasks[0].groups.positives[0]: -3 is not a count");

        var notAState = Path.Combine(_dir, "metrics.json");
        File.Copy(Path.Combine(_trained.Output, "metrics.json"), notAState);
        var foreign = await Stem.RunAsync("evaluate", "--merge-states", notAState);
        foreign.ExitCode.Should().Be(1);
        foreign.ErrorLine.Should().StartWith($"stem: error: {notAState}: not a valid evaluation state: ");
    }

    [Fact]
    public async Task Merge_states_takes_neither_model_nor_data_and_evaluate_needs_one_or_the_other()
    {
        var merge = await Stem.RunAsync("evaluate", "--merge-states", Path.Combine(_dir, "states"), "--model", _trained.Artifact);
        merge.ExitCode.Should().Be(2);
        merge.ErrorLine.Should().Be("stem: error: --merge-states: merges finished states and reads neither a model nor data; leave out --model");

        var none = await Stem.RunAsync("evaluate", "--data", _trained.DataCsv);
        none.ExitCode.Should().Be(2);
        none.ErrorLine.Should().Be("stem: error: --model: give the trained model (--model DIR), or merge evaluation states with --merge-states FILE...");
    }

    [Fact]
    public async Task A_shard_with_no_input_file_succeeds_and_its_empty_state_still_counts()
    {
        var a = Path.Combine(_dir, "one", "a.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(a)!);
        File.Copy(_trained.DataCsv, a);
        var states = Path.Combine(_dir, "states");
        await Stem.SucceedAsync("evaluate", "--model", _trained.Artifact, "--data", Path.GetDirectoryName(a)!, "--shard", "0/2", "--state-output", Path.Combine(states, "0.json"));
        var empty = await Stem.SucceedAsync("evaluate", "--model", _trained.Artifact, "--data", Path.GetDirectoryName(a)!, "--shard", "1/2", "--state-output", Path.Combine(states, "1.json"));
        empty.Stderr.Should().Contain("Shard 1/2: no input file (the input list has 1)");

        var merged = await Stem.SucceedAsync("evaluate", "--merge-states", states, "--json");
        var single = await Stem.SucceedAsync("evaluate", "--model", _trained.Artifact, "--data", Path.GetDirectoryName(a)!, "--json");
        merged.Stdout.Should().Be(single.Stdout);
    }

    // Five partitions of the 600 rows: CSV, gzipped CSV, TSV and Parquet with several row groups,
    // plus a last one repeating earlier rows, so that scores tie across files and every user (the
    // synthetic group column) has rows in several files.
    private static readonly string[] Partitions =
    [
        "date=20220425/part-0.csv",
        "date=20220425/part-1.csv.gz",
        "date=20220426/part-0.csv",
        "date=20220426/part-1.parquet",
        "date=20220427/part-0.tsv",
    ];

    private async Task<string> PartitionedAsync(string name)
    {
        var root = Path.Combine(_dir, name);
        var parts = new[] { _rows[..150], _rows[150..300], _rows[300..420], _rows[420..], _rows[..100] };
        for (var p = 0; p < Partitions.Length; p++)
        {
            var path = Path.Combine(root, Partitions[p]);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var lines = new[] { string.Join(',', _header) }.Concat(parts[p]).ToArray();
            switch (Path.GetExtension(path))
            {
                case ".gz":
                    await WriteGzipAsync(path, lines);
                    break;
                case ".tsv":
                    File.WriteAllLines(path, lines.Select(l => l.Replace(',', '\t')));
                    break;
                case ".parquet":
                    await WriteParquetAsync(path, parts[p], rowsPerGroup: 64);
                    break;
                default:
                    File.WriteAllLines(path, lines);
                    break;
            }
        }

        // What Spark and Hadoop leave next to the data, and a writer's temporary directory.
        File.WriteAllText(Path.Combine(root, "_SUCCESS"), string.Empty);
        File.WriteAllText(Path.Combine(root, "date=20220425", ".part-0.csv.crc"), "crc");
        Directory.CreateDirectory(Path.Combine(root, "_temporary"));
        File.WriteAllLines(Path.Combine(root, "_temporary", "part-9.csv"), [string.Join(',', _header), _rows[0]]);
        return root;
    }

    private async Task WriteParquetAsync(string path, string[] rows, int rowsPerGroup)
    {
        var fields = _header.Select(h => h.StartsWith('x') ? (DataField)new DataField<double>(h) : new DataField<string>(h, nullable: true)).ToArray();
        await using var file = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), file);
        for (var start = 0; start < rows.Length; start += rowsPerGroup)
        {
            var group = rows[start..Math.Min(rows.Length, start + rowsPerGroup)].Select(r => r.Split(',')).ToArray();
            using var rowGroup = writer.CreateRowGroup();
            for (var c = 0; c < _header.Length; c++)
            {
                var values = group.Select(r => r[c]).ToArray();
                await (fields[c] is DataField<double>
                    ? rowGroup.WriteAsync<double>(fields[c], values.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
                    : rowGroup.WriteAsync(fields[c], values));
            }
        }
    }

    private static async Task WriteGzipAsync(string path, IEnumerable<string> lines)
    {
        await using var gzip = new GZipStream(File.Create(path), CompressionLevel.Fastest);
        await using var writer = new StreamWriter(gzip);
        foreach (var line in lines)
        {
            await writer.WriteLineAsync(line);
        }
    }

    /// <summary>The files under an output directory, relative, with '/' separators, sorted.</summary>
    private static string[] Outputs(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(directory, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Order(StringComparer.Ordinal)
            .ToArray();

    /// <summary>A scored file as CSV lines (header first), read back with the CLI's readers.</summary>
    private static async Task<string[]> ReadAsync(string path)
    {
        var table = await DataFiles.Readers().ReadAsync(path);
        var lines = new List<string> { string.Join(',', table.ColumnNames) };
        for (var r = 0; r < table.RowCount; r++)
        {
            lines.Add(string.Join(',', table.Columns.Select(c => c[r])));
        }

        return lines.ToArray();
    }

    private string Edit(string name, string source, Action<JsonNode> edit)
    {
        var node = JsonNode.Parse(File.ReadAllText(source))!;
        edit(node);
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    private static string ModelCreated(string state)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(state));
        return document.RootElement.GetProperty("modelCreatedUtc").GetDateTimeOffset().ToString("O", CultureInfo.InvariantCulture);
    }
}
