using System.Globalization;
using System.Text.Json;
using Parquet;
using Parquet.Schema;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>train → evaluate → predict on a tiny synthetic model, end to end through the command line.</summary>
[Collection(TrainedModelGroup.Name)]
public sealed class TrainEvaluatePredictTests(TrainedModel trained) : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public void Train_writes_the_artifact_metrics_and_report_and_prints_a_per_task_table()
    {
        foreach (var file in new[] { "artifact.json", "model.json", "pipeline.json", "weights.bin" })
        {
            File.Exists(Path.Combine(trained.Artifact, file)).Should().BeTrue(file);
        }

        File.Exists(Path.Combine(trained.Output, "checkpoints", "best", "model.bin")).Should().BeTrue("the best checkpoint is kept");
        File.ReadAllText(Path.Combine(trained.Output, "report.md")).Should().Contain("| mmoe |");
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(trained.Output, "metrics.json")));
        metrics.RootElement.GetProperty("model").GetString().Should().Be("mmoe");

        var stdout = trained.Training.Stdout;
        stdout.Should().Contain("| task0 ").And.Contain("| task1 ").And.Contain("test AUC").And.Contain($"Artifact: {trained.Artifact}");

        // stderr is not a terminal here: plain epoch lines instead of progress bars.
        trained.Training.Stderr.Should().Contain("[1/1] mmoe seed 2023: epoch 1/1").And.NotContain("\u001b[");
    }

    [Fact]
    public async Task Train_json_to_stdout_carries_only_the_document()
    {
        var output = Path.Combine(_dir, "run");
        var result = await Stem.SucceedAsync("train", "--preset", "synthetic", "--rows", "300", "--model", "mmoe", "--epochs", "1", "--batch-size", "64", "--seed", "7", "--output", output, "--json");
        var json = result.Json();
        json.GetProperty("command").GetString().Should().Be("train");
        json.GetProperty("model").GetString().Should().Be("mmoe");
        json.GetProperty("artifact").GetString().Should().Be(Path.Combine(output, "model"));
        var run = json.GetProperty("run");
        run.GetProperty("seed").GetInt64().Should().Be(7);
        run.GetProperty("test").GetProperty("tasks").GetArrayLength().Should().Be(2);
        run.GetProperty("test").GetProperty("meanAuc").GetDouble().Should().BeInRange(0, 1);

        // The human table moves to stderr so that stdout parses as JSON.
        result.Stderr.Should().Contain("| task0 ");
        Directory.Exists(Path.Combine(output, "model")).Should().BeTrue();
    }

    [Fact]
    public async Task Evaluate_reports_per_task_metrics_for_each_file_and_all_together()
    {
        var result = await Stem.SucceedAsync("evaluate", "--model", trained.Artifact, "--data", trained.DataCsv, trained.DataCsv, "--json");
        var json = result.Json();
        json.GetProperty("modelName").GetString().Should().Be("mmoe");
        json.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()).Should().Equal("task0", "task1");
        var files = json.GetProperty("files");
        files.GetArrayLength().Should().Be(2);
        foreach (var file in files.EnumerateArray())
        {
            file.GetProperty("rows").GetInt32().Should().Be(600);
            foreach (var task in file.GetProperty("metrics").GetProperty("tasks").EnumerateArray())
            {
                task.GetProperty("count").GetInt64().Should().Be(600);
                task.GetProperty("auc").GetDouble().Should().BeGreaterThan(0).And.BeLessThan(1);
                task.GetProperty("gAuc").GetDouble().Should().BeGreaterThan(0).And.BeLessThan(1);
                task.GetProperty("logLoss").GetDouble().Should().BeGreaterThan(0);
                task.GetProperty("calibration").GetDouble().Should().BeGreaterThan(0);
            }
        }

        // The same rows twice: the combined metrics equal each file's.
        var single = files[0].GetProperty("metrics").GetProperty("tasks")[0];
        var combined = json.GetProperty("combined").GetProperty("tasks")[0];
        combined.GetProperty("count").GetInt64().Should().Be(1200);
        combined.GetProperty("auc").GetDouble().Should().BeApproximately(single.GetProperty("auc").GetDouble(), 1e-9);
        combined.GetProperty("gAuc").GetDouble().Should().BeApproximately(single.GetProperty("gAuc").GetDouble(), 1e-9);
        result.Stderr.Should().Contain("| task0 ").And.Contain("All 2 files");
    }

    [Fact]
    public async Task Evaluate_prints_a_table_on_stdout_and_writes_json_to_a_file()
    {
        var jsonPath = Path.Combine(_dir, "eval.json");
        var result = await Stem.SucceedAsync("evaluate", "--model", trained.Artifact, "--data", trained.DataCsv, "--json", jsonPath);
        result.Stdout.Should().Contain("| task  | rows | positives |").And.Contain("| task1 |  600 |");
        using var json = JsonDocument.Parse(File.ReadAllText(jsonPath));
        json.RootElement.GetProperty("command").GetString().Should().Be("evaluate");
    }

    [Fact]
    public async Task Evaluate_joins_side_tables_by_key()
    {
        // Move the categorical field into a side table keyed by a row id; the joined rows must
        // score exactly as the original file does.
        var lines = File.ReadAllLines(trained.DataCsv);
        var header = lines[0].Split(',');
        var category = Array.IndexOf(header, "category");
        var main = new List<string> { string.Join(',', header.Where((_, i) => i != category).Append("row_id")) };
        var side = new List<string> { "id,category" };
        for (var r = 1; r < lines.Length; r++)
        {
            var fields = lines[r].Split(',');
            main.Add(string.Join(',', fields.Where((_, i) => i != category).Append($"r{r}")));
            side.Add($"r{r},{fields[category]}");
        }

        var mainPath = Path.Combine(_dir, "main.csv");
        var sidePath = Path.Combine(_dir, "side.csv.gz");
        File.WriteAllLines(mainPath, main);
        await using (var gzip = new System.IO.Compression.GZipStream(File.Create(sidePath), System.IO.Compression.CompressionLevel.Fastest))
        await using (var writer = new StreamWriter(gzip))
        {
            foreach (var line in side)
            {
                await writer.WriteLineAsync(line);
            }
        }

        var joined = (await Stem.SucceedAsync("evaluate", "--model", trained.Artifact, "--data", mainPath, "--join", $"{sidePath}:row_id=id", "--json")).Json();
        var original = (await Stem.SucceedAsync("evaluate", "--model", trained.Artifact, "--data", trained.DataCsv, "--json")).Json();
        Auc(joined).Should().Be(Auc(original));

        static double Auc(JsonElement json) => json.GetProperty("files")[0].GetProperty("metrics").GetProperty("meanAuc").GetDouble();
    }

    [Fact]
    public async Task Predict_writes_every_input_column_and_one_probability_per_task()
    {
        var output = Path.Combine(_dir, "scores", "all.csv");
        var result = await Stem.SucceedAsync("predict", "--model", trained.Artifact, "--input", trained.DataCsv, "--output", output, "--json");
        var json = result.Json();
        json.GetProperty("rows").GetInt32().Should().Be(600);
        json.GetProperty("columns").EnumerateArray().Select(c => c.GetString()).Should().Equal("p_task0", "p_task1");
        json.GetProperty("meanProbability").GetProperty("task0").GetDouble().Should().BeInRange(0, 1);

        var lines = File.ReadAllLines(output);
        lines.Should().HaveCount(601);
        lines[0].Should().Be(string.Join(',', TrainedModel.Columns.Append("p_task0").Append("p_task1")));
        var input = File.ReadAllLines(trained.DataCsv);
        foreach (var (line, r) in lines.Skip(1).Select((l, i) => (l, i + 1)))
        {
            var fields = line.Split(',');
            string.Join(',', fields[..^2]).Should().Be(input[r], "input columns are copied as they were");
            foreach (var p in fields[^2..])
            {
                double.Parse(p, CultureInfo.InvariantCulture).Should().BeInRange(0, 1);
            }
        }
    }

    [Fact]
    public async Task Predict_keeps_chosen_columns_and_writes_stdout_or_gzipped_tsv()
    {
        var stdout = await Stem.SucceedAsync("predict", "--model", trained.Artifact, "--input", trained.DataCsv, "--output", "-", "--keep", "group,category", "--quiet");
        var lines = stdout.Stdout.TrimEnd().Split('\n');
        lines.Should().HaveCount(601);
        lines[0].TrimEnd().Should().Be("group,category,p_task0,p_task1");
        stdout.Stderr.Should().BeEmpty("--quiet leaves only errors on stderr");

        var tsv = Path.Combine(_dir, "scores.tsv.gz");
        await Stem.SucceedAsync("predict", "--model", trained.Artifact, "--input", trained.DataCsv, "--output", tsv, "--keep", "");
        await using var gzip = new System.IO.Compression.GZipStream(File.OpenRead(tsv), System.IO.Compression.CompressionMode.Decompress);
        using var reader = new StreamReader(gzip);
        (await reader.ReadLineAsync()).Should().Be("p_task0\tp_task1");

        // The same rows score the same whatever the output format.
        var first = (await reader.ReadLineAsync())!.Split('\t');
        lines[1].TrimEnd().Split(',')[2..].Should().Equal(first);
    }

    [Fact]
    public async Task Predict_reads_parquet_and_scores_it_as_the_same_rows_in_csv()
    {
        var lines = File.ReadAllLines(trained.DataCsv)[..51];
        var header = lines[0].Split(',');
        var rows = lines[1..].Select(l => l.Split(',')).ToArray();
        var parquet = Path.Combine(_dir, "rows.parquet");
        // Numeric features as doubles, the rest as strings: the reader must turn both back into the
        // text the CSV holds.
        var fields = header.Select(h => h.StartsWith('x') ? (DataField)new DataField<double>(h) : new DataField<string>(h, nullable: true)).ToArray();
        await using (var file = File.Create(parquet))
        await using (var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), file))
        using (var group = writer.CreateRowGroup())
        {
            for (var c = 0; c < header.Length; c++)
            {
                var values = rows.Select(r => r[c]).ToArray();
                await (fields[c] is DataField<double>
                    ? group.WriteAsync<double>(fields[c], values.Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray())
                    : group.WriteAsync(fields[c], values));
            }
        }

        var csv = Path.Combine(_dir, "rows.csv");
        File.WriteAllLines(csv, lines);
        var fromParquet = await Stem.SucceedAsync("predict", "--model", trained.Artifact, "--input", parquet, "--output", "-", "--keep", "group");
        var fromCsv = await Stem.SucceedAsync("predict", "--model", trained.Artifact, "--input", csv, "--output", "-", "--keep", "group");
        fromParquet.Stdout.Should().Be(fromCsv.Stdout);
        fromParquet.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(51);
    }

    [Fact]
    public async Task Predict_needs_no_label_columns()
    {
        var lines = File.ReadLines(trained.DataCsv).Take(11).Select(l => string.Join(',', l.Split(',')[..^2])).ToArray();
        var path = Path.Combine(_dir, "unlabelled.csv");
        File.WriteAllLines(path, lines);
        var result = await Stem.SucceedAsync("predict", "--model", trained.Artifact, "--input", path, "--output", "-");
        result.Stdout.TrimEnd().Split('\n').Should().HaveCount(11);
    }

    [Fact]
    public async Task Help_lists_the_commands()
    {
        var result = await Stem.SucceedAsync("--help");
        result.Stdout.Should().Contain("train").And.Contain("evaluate").And.Contain("predict").And.Contain("compare").And.Contain("--json");
    }
}
