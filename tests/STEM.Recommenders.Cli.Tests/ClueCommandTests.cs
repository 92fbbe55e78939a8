using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>A tiny CLUE encoder pretrained once through <c>stem pretrain</c> on 400 synthetic users, and its vectors from <c>stem embed</c>.</summary>
public sealed class PretrainedClue : IAsyncLifetime
{
    public static readonly string[] Tiny = ["--width", "8", "--layers", "1", "--heads", "1", "--feed-forward", "16", "--output-dim", "8", "--dropout", "0"];

    public string Directory { get; } = TestPaths.TempDirectory();

    public string Output => Path.Combine(Directory, "synthetic");

    public string Encoder => Path.Combine(Output, "encoder");

    public string Vectors => Path.Combine(Directory, "vectors.csv");

    public CliResult Pretraining { get; private set; } = null!;

    public CliResult Embedding { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Pretraining = await Stem.SucceedAsync(
            ["pretrain", "--source", "synthetic", "--synthetic-users", "400", .. Tiny, "--epochs", "1", "--batch-size", "32", "--eval-batch-size", "16", "-o", Output, "--json", "--threads", "1"]);
        Embedding = await Stem.SucceedAsync("embed", "--encoder", Encoder, "--source", "synthetic", "--synthetic-users", "400", "-o", Vectors, "--json", "--threads", "1");
    }

    public Task DisposeAsync()
    {
        TestPaths.Delete(Directory);
        return Task.CompletedTask;
    }
}

public sealed class ClueCommandTests(PretrainedClue clue) : IClassFixture<PretrainedClue>, IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public void Pretrain_writes_the_encoder_artifact_and_pretraining_json()
    {
        foreach (var file in new[] { "encoder.json", "vocabulary.json", "encoder.bin" })
        {
            File.Exists(Path.Combine(clue.Encoder, file)).Should().BeTrue(file);
        }

        var json = clue.Pretraining.Json();
        json.GetProperty("command").GetString().Should().Be("pretrain");
        json.GetProperty("encoder").GetString().Should().Be(clue.Encoder);
        json.GetProperty("data").GetString().Should().Contain("synthetic").And.Contain("400");
        json.GetProperty("steps").GetInt64().Should().BeGreaterThan(0);
        json.GetProperty("trainingFlops").GetDouble().Should().BeGreaterThan(0);
        json.GetProperty("parameters").GetInt64().Should().BeGreaterThan(json.GetProperty("nonEmbeddingParameters").GetInt64());
        json.GetProperty("validation").GetProperty("batchSize").GetInt32().Should().Be(16);
        json.GetProperty("history").GetArrayLength().Should().Be(1);
        var test = json.GetProperty("test");
        test.GetProperty("users").GetInt32().Should().BeGreaterThan(0);
        test.GetProperty("loss").GetDouble().Should().BeGreaterThan(0);

        // pretraining.json is the same document.
        using var document = JsonDocument.Parse(File.ReadAllText(Path.Combine(clue.Output, "pretraining.json")));
        document.RootElement.GetProperty("steps").GetInt64().Should().Be(json.GetProperty("steps").GetInt64());
        document.RootElement.GetProperty("test").GetProperty("loss").GetDouble().Should().Be(test.GetProperty("loss").GetDouble());
        Directory.Exists(Path.Combine(clue.Output, "checkpoints", "last")).Should().BeTrue();
    }

    [Fact]
    public async Task The_artifact_loads_with_the_options_given_on_the_command_line()
    {
        using var artifact = await ClueEncoderArtifact.LoadAsync(clue.Encoder);
        var options = artifact.Metadata.Options!;
        (options.Width, options.Layers, options.Heads, options.FeedForward, options.OutputDim, options.Dropout).Should().Be((8, 1, 1, 16, 8, 0.0));
        artifact.Metadata.HeldOut.Should().NotBeNull();
        artifact.Metadata.HeldOut!.BatchSize.Should().Be(16);
    }

    [Fact]
    public void Embed_writes_one_unit_vector_per_user()
    {
        var lines = File.ReadAllLines(clue.Vectors);
        lines[0].Should().Be("user_id," + string.Join(',', Enumerable.Range(0, 8).Select(j => $"clue_{j}")));
        lines.Length.Should().Be(401);
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(1))
        {
            var fields = line.Split(',');
            fields.Should().HaveCount(9);
            keys.Add(fields[0]).Should().BeTrue("each user has one row");
            var norm = Math.Sqrt(fields.Skip(1).Select(f => double.Parse(f, CultureInfo.InvariantCulture)).Sum(x => x * x));
            norm.Should().BeApproximately(1, 1e-3);
        }

        keys.Should().BeEquivalentTo(Enumerable.Range(0, 400).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var json = clue.Embedding.Json();
        json.GetProperty("users").GetInt32().Should().Be(400);
        json.GetProperty("dimension").GetInt32().Should().Be(8);
        json.GetProperty("output").GetString().Should().Be(clue.Vectors);
    }

    [Fact]
    public async Task Pretrain_and_embed_on_the_kuairand_sample_days_feed_user_vectors_to_train()
    {
        var days = "20220425,20220426,20220427,20220428,20220429";
        var output = Path.Combine(_dir, "kuairand");
        var pretrain = await Stem.SucceedAsync(
            ["pretrain", "--log", TestPaths.Sample("log.csv.gz"), "--videos", TestPaths.Sample("video_features.csv.gz"), "--days", days, "--min-events", "1",
             .. PretrainedClue.Tiny, "--epochs", "1", "--batch-size", "16", "--eval-batch-size", "8", "-o", output, "--json", "--threads", "1"]);
        var summary = pretrain.Json();
        summary.GetProperty("data").GetString().Should().Contain("days 20220425,20220426,20220427,20220428,20220429");

        // Rows per day in the sample: 04-25 2,565, 04-26 2,460, 04-27 2,424, 04-28 2,420, 04-29 2,846.
        summary.GetProperty("data").GetString().Should().Contain("12,715 events");
        var trainUsers = summary.GetProperty("trainUsers");
        (trainUsers.GetProperty("eventsInViewA").GetInt64() + trainUsers.GetProperty("eventsInViewB").GetInt64()).Should().BeLessThan(12_715);

        var vectors = Path.Combine(_dir, "kuairand-vectors.csv");
        await Stem.SucceedAsync("embed", "--encoder", Path.Combine(output, "encoder"), "--log", TestPaths.Sample("log.csv.gz"), "--videos", TestPaths.Sample("video_features.csv.gz"), "--days", days, "-o", vectors, "--threads", "1");
        File.ReadLines(vectors).First().Should().StartWith("user_id,clue_0,");

        var config = Path.Combine(_dir, "tiny-model.json");
        await File.WriteAllTextAsync(config, """
            {
              "data": { "preset": "synthetic" },
              "model": { "model": "mmoe", "experts": 1, "expertUnits": [4], "gateUnits": [], "towerUnits": [4], "embeddingDim": 2 },
              "training": { "batchSize": 4096 }
            }
            """);
        var run = Path.Combine(_dir, "run");
        await Stem.SucceedAsync(
            "train", "--config", config, "--preset", "kuairand",
            "--train", TestPaths.Sample("log.csv.gz"), "--users", TestPaths.Sample("user_features.csv.gz"), "--videos", TestPaths.Sample("video_features.csv.gz"),
            "--user-vectors", vectors, "--tasks", "is_click", "--epochs", "1", "--output", run, "--threads", "1");

        using var pipeline = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(run, "model", "pipeline.json")));
        var text = pipeline.RootElement.GetRawText();
        text.Should().Contain("\"dense_vector\"");
        text.Should().Contain("clue_7");
    }

    [Fact]
    public async Task Scale_quick_on_a_synthetic_log_writes_the_report()
    {
        var output = Path.Combine(_dir, "scale");
        var clock = Stopwatch.StartNew();
        var result = await Stem.SucceedAsync("scale", "--quick", "--source", "synthetic", "--synthetic-users", "600", "-o", output, "--json", "--threads", "1");
        clock.Stop();

        File.Exists(Path.Combine(output, "report.md")).Should().BeTrue();
        File.Exists(Path.Combine(output, "runs.json")).Should().BeTrue();
        File.Exists(Path.Combine(output, "loss-vs-compute.png")).Should().BeTrue();
        var json = result.Json();
        json.GetProperty("command").GetString().Should().Be("scale");
        json.GetProperty("runCount").GetInt32().Should().BeGreaterThan(10);
        json.GetProperty("report").GetString().Should().Be(Path.Combine(output, "report.md"));
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromMinutes(3), "--quick is a smoke test");
    }

    [Fact]
    public async Task Pretrain_without_a_log_asks_for_one()
    {
        var result = await Stem.RunAsync("pretrain", "-o", Path.Combine(_dir, "x"));
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --log: give the KuaiRand interaction log (--log FILE), or --source synthetic");
    }

    [Theory]
    [InlineData("pretrain")]
    [InlineData("embed", "--encoder", "e")]
    [InlineData("scale")]
    public async Task An_unknown_source_names_the_option(string command, params string[] more)
    {
        var result = await Stem.RunAsync([command, "--source", "foo", .. more, "-o", Path.Combine(_dir, "x")]);
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --source: 'foo' is not kuairand or synthetic");
    }

    [Fact]
    public async Task An_unknown_item_encoder_names_the_option()
    {
        var result = await Stem.RunAsync("pretrain", "--source", "synthetic", "--item-encoder", "foo", "-o", Path.Combine(_dir, "x"));
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --item-encoder: 'foo' is not mean or transformer");
    }

    [Fact]
    public async Task Heads_that_do_not_divide_the_width_name_the_encoder_option()
    {
        var output = Path.Combine(_dir, "heads");
        var result = await Stem.RunAsync("pretrain", "--source", "synthetic", "--synthetic-users", "400", "--width", "8", "--heads", "3", "-o", output);
        result.ExitCode.Should().Be(3);
        result.ErrorLine.Should().Be("stem: error: ClueEncoderOptions.Heads must divide Width.");
        Directory.Exists(output).Should().BeFalse("the options are checked before any data is read");
    }

    [Fact]
    public async Task An_evaluation_batch_larger_than_the_held_out_users_names_the_option()
    {
        var result = await Stem.RunAsync(["pretrain", "--source", "synthetic", "--synthetic-users", "400", .. PretrainedClue.Tiny, "--epochs", "1", "--batch-size", "32", "--eval-batch-size", "1000", "-o", Path.Combine(_dir, "eval"), "--threads", "1", "--quiet"]);

        // The split is known only once the data is read; --quiet leaves out the progress line before the error.
        result.ExitCode.Should().Be(3);
        result.ErrorLine.Should().StartWith("stem: error: PretrainingOptions.EvaluationBatchSize (1000) is larger than the ").And.Contain("held-out users");
    }

    [Fact]
    public async Task Embed_with_a_missing_encoder_directory_names_it()
    {
        var path = Path.Combine(_dir, "no-encoder");
        var result = await Stem.RunAsync("embed", "--encoder", path, "--source", "synthetic", "--synthetic-users", "400", "-o", Path.Combine(_dir, "v.csv"));
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {path}: no encoder artifact here (expected a directory with encoder.json).");
    }

    [Fact]
    public async Task Embed_with_another_vocabulary_names_the_directory_and_the_file()
    {
        var copy = Path.Combine(_dir, "encoder");
        Directory.CreateDirectory(copy);
        foreach (var file in Directory.GetFiles(clue.Encoder))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var log = SyntheticUserLogGenerator.Generate(new SyntheticUserLogOptions { Users = 200, Seed = 77 });
        using (var other = ClueData.Prepare(log, SyntheticUserLogGenerator.DefaultSequenceOptions))
        {
            await File.WriteAllTextAsync(Path.Combine(copy, "vocabulary.json"), other.Vocabulary.ToJson());
        }

        var output = Path.Combine(_dir, "v.csv");
        var result = await Stem.RunAsync("embed", "--encoder", copy, "--source", "synthetic", "--synthetic-users", "400", "-o", output);
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().StartWith($"stem: error: {copy}: vocabulary.json is another vocabulary");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public async Task Days_that_leave_no_event_name_the_date_column()
    {
        var log = TestPaths.Sample("log.csv.gz");
        var result = await Stem.RunAsync("pretrain", "--log", log, "--days", "20220601", "-o", Path.Combine(_dir, "x"), "--threads", "1");
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {log}, column date: no event falls on the days 20220601");
    }

    [Fact]
    public async Task A_log_without_the_user_column_names_file_and_column()
    {
        var log = Path.Combine(_dir, "log.csv");
        await File.WriteAllTextAsync(log, "video_id,time_ms,date,tab,is_click,long_view,is_like\n1,10,20220425,1,0,0,0\n2,20,20220425,0,1,0,0\n");
        var result = await Stem.RunAsync("pretrain", "--log", log, "-o", Path.Combine(_dir, "x"), "--threads", "1");
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().StartWith($"stem: error: {log}").And.Contain("'user_id'");
    }

    [Fact]
    public async Task A_missing_log_file_is_named()
    {
        var log = Path.Combine(_dir, "absent.csv");
        var result = await Stem.RunAsync("embed", "--encoder", clue.Encoder, "--log", log, "-o", Path.Combine(_dir, "v.csv"));
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {log}: file not found");
    }
}
