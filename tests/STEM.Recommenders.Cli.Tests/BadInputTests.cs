namespace STEM.Recommenders.Cli.Tests;

/// <summary>
/// Every failure exits non-zero with exactly one line on stderr that says what to fix: the file and
/// line (data), the JSON path (experiment files) or the option (command line). No stack traces.
/// </summary>
[Collection(TrainedModelGroup.Name)]
public sealed class BadInputTests(TrainedModel trained) : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public async Task Missing_config_file_names_the_file()
    {
        var path = Path.Combine(_dir, "nope.json");
        var result = await Stem.RunAsync("train", "--config", path);
        result.ExitCode.Should().Be(3);
        result.ErrorLine.Should().Be($"stem: error: {path}: $: file not found");
        result.Stdout.Should().BeEmpty();
    }

    [Fact]
    public async Task Malformed_json_names_the_path_line_and_position()
    {
        var path = Write("bad.json", "{\n  \"data\": { \"preset\": \"synthetic\" },\n  \"training\": { \"epochs\": 1,, }\n}");
        var result = await Stem.RunAsync("train", "--config", path);
        result.ExitCode.Should().Be(3);
        result.ErrorLine.Should().StartWith($"stem: error: {path}: $.training: ").And.EndWith("(line 3, position 29)");
    }

    [Fact]
    public async Task Invalid_value_names_its_json_path()
    {
        var path = Write("batch.json", """{ "data": { "preset": "synthetic" }, "training": { "batchSize": 0 } }""");
        var result = await Stem.RunAsync("train", "--config", path);
        result.ExitCode.Should().Be(3);
        result.ErrorLine.Should().Be($"stem: error: {path}: $.training.batchSize: TrainerOptions.BatchSize must be at least 1.");
    }

    [Fact]
    public async Task Unknown_model_in_an_experiment_file_names_the_model_path()
    {
        var path = Write("model.json", """{ "data": { "preset": "synthetic" }, "model": { "model": "deepfm" } }""");
        var result = await Stem.RunAsync("train", "--config", path);
        result.ExitCode.Should().Be(3);
        result.ErrorLine.Should().StartWith($"stem: error: {path}: $.model: ").And.Contain("'deepfm'");
    }

    [Fact]
    public async Task Unknown_model_on_the_command_line_lists_the_known_ones()
    {
        var result = await Stem.RunAsync("compare", "--preset", "synthetic", "--models", "mmoe,deepfm");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --models: Unknown model 'deepfm'; known models: stem-net, mmoe, omoe, ple, shared-bottom, single-task, me-mmoe, me-ple, esmm, aitm.");
    }

    [Fact]
    public async Task Unknown_preset_lists_the_known_ones()
    {
        var result = await Stem.RunAsync("train", "--preset", "movielens");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --preset: Unknown dataset preset 'movielens'; known presets: kuairand, census-income, synthetic.");
    }

    [Theory]
    [InlineData("kuairand")]
    [InlineData("census-income")]
    public async Task Preset_without_a_training_file_asks_for_train(string preset)
    {
        var result = await Stem.RunAsync("compare", "--preset", preset, "--models", "mmoe");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be($"stem: error: --train: the {preset} preset needs a training file (--train FILE)");
    }

    [Fact]
    public async Task Neither_config_nor_preset_is_a_usage_error()
    {
        var result = await Stem.RunAsync("train");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --config: give an experiment file (--config FILE) or a dataset preset (--preset kuairand|census-income|synthetic)");
    }

    [Fact]
    public async Task Ragged_csv_row_names_file_and_line()
    {
        var path = trained.CsvWithLine("ragged.csv", 3, fields => string.Join(',', fields[..^1]));
        var result = await Stem.RunAsync("evaluate", "--model", trained.Artifact, "--data", path);
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {path}, line 3: expected 20 fields (as in the header) but found 19");
    }

    [Fact]
    public async Task Text_in_a_numeric_column_names_file_line_and_column()
    {
        var path = trained.CsvWithLine("text.csv", 5, fields =>
        {
            fields[3] = "abc";
            return string.Join(',', fields);
        });
        var output = Path.Combine(_dir, "scores.csv");
        var result = await Stem.RunAsync("predict", "--model", trained.Artifact, "--input", path, "--output", output);
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {path}, line 5, column x3: 'abc' is not a number (feature 'x3')");
        File.Exists(output).Should().BeFalse();
    }

    [Fact]
    public async Task Label_that_is_not_binary_names_file_line_and_column()
    {
        var path = trained.CsvWithLine("label.csv", 4, fields =>
        {
            fields[^1] = "yes";
            return string.Join(',', fields);
        });
        var result = await Stem.RunAsync("evaluate", "--model", trained.Artifact, "--data", path);
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().StartWith($"stem: error: {path}, line 4, column task1: ");
    }

    [Fact]
    public async Task Missing_data_file_is_named()
    {
        var path = Path.Combine(_dir, "absent.csv");
        var result = await Stem.RunAsync("evaluate", "--model", trained.Artifact, "--data", path);
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {path}: file not found");
    }

    [Fact]
    public async Task Missing_artifact_directory_is_named()
    {
        var path = Path.Combine(_dir, "no-model");
        var result = await Stem.RunAsync("evaluate", "--model", path, "--data", trained.DataCsv);
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {path}: no model artifact here (expected a directory with artifact.json, or a .zip/.stem file).");
    }

    [Fact]
    public async Task Incomplete_artifact_names_the_missing_file()
    {
        var path = Path.Combine(_dir, "broken");
        Directory.CreateDirectory(path);
        File.Copy(Path.Combine(trained.Artifact, "artifact.json"), Path.Combine(path, "artifact.json"));
        var result = await Stem.RunAsync("predict", "--model", path, "--input", trained.DataCsv, "--output", Path.Combine(_dir, "x.csv"));
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {path}: the artifact has no model.json.");
    }

    [Theory]
    [InlineData("users.csv")]
    [InlineData("users.csv:")]
    [InlineData(":user_id")]
    [InlineData("users.csv:a=b=c")]
    public async Task Bad_join_syntax_names_the_option(string join)
    {
        var result = await Stem.RunAsync("evaluate", "--model", trained.Artifact, "--data", trained.DataCsv, "--join", join);
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be($"stem: error: --join: '{join}' is not FILE:KEY or FILE:KEY=SIDE_KEY (e.g. users.csv.gz:user_id)");
    }

    [Fact]
    public async Task Join_key_missing_from_the_side_table_names_file_and_column()
    {
        var side = Write("side.csv", "user,age\n1,30\n");
        var result = await Stem.RunAsync("evaluate", "--model", trained.Artifact, "--data", trained.DataCsv, "--join", $"{side}:group");
        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().Be($"stem: error: {side}, line 1, column group: column 'group' not found; the table has: user, age");
    }

    [Fact]
    public async Task Unknown_option_is_named()
    {
        var result = await Stem.RunAsync("train", "--preset", "synthetic", "--epoch", "3");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().StartWith("stem: error: ").And.Contain("'--epoch'");
    }

    [Fact]
    public async Task Zero_seeds_is_rejected()
    {
        var result = await Stem.RunAsync("compare", "--preset", "synthetic", "--models", "mmoe", "--seeds", "0");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --seeds: must be at least 1 (got 0)");
    }

    [Theory]
    [InlineData("--epochs", "0", "stem: error: --epochs: must be at least 1 (got 0)")]
    [InlineData("--batch-size", "many", "stem: error: --batch-size: 'many' is not an integer")]
    [InlineData("--lr", "0", "stem: error: --lr: must be greater than 0 (got 0)")]
    [InlineData("--correlation", "2", "stem: error: --correlation: must be in [-1, 1] (got 2)")]
    [InlineData("--valid-days", "2022-04-30", "stem: error: --valid-days: '2022-04-30' is not a day of the form yyyyMMdd")]
    [InlineData("--device", "tpu", "stem: error: --device: 'tpu' is not one of cpu, cuda, auto")]
    [InlineData("--threads", "0", "stem: error: --threads: must be at least 1 (got 0)")]
    public async Task Bad_option_values_name_the_option(string option, string value, string expected)
    {
        var result = await Stem.RunAsync("train", "--preset", "synthetic", option, value);
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be(expected);
    }

    [Fact]
    public async Task Missing_required_option_is_named()
    {
        var result = await Stem.RunAsync("predict", "--model", trained.Artifact, "--input", trained.DataCsv);
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: Option '--output' is required.");
    }

    [Fact]
    public async Task No_command_is_a_usage_error()
    {
        var result = await Stem.RunAsync();
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: Required command was not provided.");
    }

    [Fact]
    public async Task Json_to_stdout_and_scores_to_stdout_conflict()
    {
        var result = await Stem.RunAsync("predict", "--model", trained.Artifact, "--input", trained.DataCsv, "--output", "-", "--json");
        result.ExitCode.Should().Be(2);
        result.ErrorLine.Should().Be("stem: error: --json: stdout already carries the scores (--output -); give the JSON a file: --json PATH");
    }

    [Fact]
    public async Task Unknown_monitor_is_a_configuration_error()
    {
        var path = Write("monitor.json", """{ "data": { "preset": "synthetic", "rows": 200 }, "model": { "model": "mmoe", "experts": 1, "expertUnits": [4], "gateUnits": [], "towerUnits": [], "embeddingDim": 2 }, "training": { "epochs": 1, "monitor": "auc:nope" } }""");
        var result = await Stem.RunAsync("train", "--config", path, "--output", Path.Combine(_dir, "run"));
        result.ExitCode.Should().Be(3);
        result.ErrorLine.Should().Be($"stem: error: {path}: $.training.monitor: Unknown monitor 'auc:nope'; use mean_auc, mean_gauc, mean_logloss, or auc:TASK, gauc:TASK, logloss:TASK with TASK one of task0, task1.");
        Directory.Exists(Path.Combine(_dir, "run")).Should().BeFalse("the monitor is checked before any data is loaded");
    }

    [Theory]
    [InlineData("train")]
    [InlineData("evaluate")]
    public async Task Cuda_without_a_cuda_backend_is_a_runtime_error(string command)
    {
        string[] args = command == "train"
            ? ["train", "--config", trained.ConfigPath, "--output", Path.Combine(_dir, "run"), "--device", "cuda"]
            : ["evaluate", "--model", trained.Artifact, "--data", trained.DataCsv, "--device", "cuda"];
        var result = await Stem.RunAsync(args);
        result.ExitCode.Should().Be(4);
        result.ErrorLine.Should().StartWith("stem: error: CUDA was requested but cannot be used.").And.EndWith("Use --device cpu to run on the CPU.");
    }

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }
}
