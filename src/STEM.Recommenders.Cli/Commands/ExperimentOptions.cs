using System.CommandLine;
using System.Text.Json;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;

namespace STEM.Recommenders.Cli.Commands;

/// <summary>
/// The options that build an <see cref="ExperimentConfig"/> for train and compare: an experiment
/// file, a preset with its files, or both (command-line values then override the file's).
/// </summary>
internal sealed class ExperimentOptions
{
    public const string CommandLineSource = "command line";

    public Option<string?> Config { get; } = new("--config", "-c")
    {
        Description = "Experiment file (JSON; see docs/cli.md and docs/experiment.schema.json). Relative data paths in it are resolved against its directory.",
        HelpName = "FILE",
    };

    public Option<string?> Preset { get; } = new("--preset")
    {
        // Built when the command is, so presets the process registered first are listed too.
        Description = "Dataset preset, instead of or overriding the experiment file's data:" +
            string.Concat(DatasetPresets.Names.Select(n => $"\n  {n}: {DatasetPresets.Get(n).Description}")),
        HelpName = "NAME",
    };

    public Option<string?> Train { get; } = new("--train") { Description = "Training file (kuairand: the log, split by day; census-income: the one file).", HelpName = "FILE" };

    public Option<string?> Validation { get; } = new("--validation", "--valid") { Description = "Validation file (custom schema from an experiment file).", HelpName = "FILE" };

    public Option<string?> Test { get; } = new("--test") { Description = "Test file (kuairand: a separate test log; custom schema: the test split).", HelpName = "FILE" };

    public Option<string?> Users { get; } = new("--users") { Description = "kuairand: user features file.", HelpName = "FILE" };

    public Option<string?> Videos { get; } = new("--videos") { Description = "kuairand: video features file.", HelpName = "FILE" };

    public Option<string?> UserVectors { get; } = new("--user-vectors") { Description = "kuairand: pretrained user vectors (user_id + components, e.g. from stem embed), joined as a dense field.", HelpName = "FILE" };

    public Option<int[]?> TrainDays { get; } = OptionParsers.Days("--train-days", "kuairand: training days (default: every day before the first validation or test day).");

    public Option<int[]?> ValidationDays { get; } = OptionParsers.Days("--valid-days", "kuairand: validation days (default 20220430).", "--validation-days");

    public Option<int[]?> TestDays { get; } = OptionParsers.Days("--test-days", "kuairand: test days (default 20220501; with --test, the days taken from the test log, all when not given).");

    public Option<string[]> Tasks { get; } = OptionParsers.List("--tasks", "kuairand: label columns to predict (default is_click,long_view,is_like); synthetic: as many tasks as names.", "TASK[,...]");

    public Option<int?> MinCount { get; } = OptionParsers.Int("--min-count", "kuairand: minimum training count of a categorical value (default 2).", 1);

    public Option<int?> Rows { get; } = OptionParsers.Int("--rows", "synthetic: rows to generate (default 20000).", 1);

    public Option<double?> Correlation { get; } = OptionParsers.Double("--correlation", "synthetic: correlation of the tasks, in [-1, 1] (default 0.5).", -1, 1, exclusiveMinimum: false);

    public Option<string?> Cache { get; } = new("--cache") { Description = "kuairand and custom data: stream the files into an on-disk encoded cache in DIR (reused while the schema and files are unchanged) and train from it, so the data need not fit in memory.", HelpName = "DIR" };

    public Option<int?> Epochs { get; } = OptionParsers.Int("--epochs", "Maximum epochs (overrides training.epochs).", 1);

    public Option<int?> BatchSize { get; } = OptionParsers.Int("--batch-size", "Rows per training batch (overrides training.batchSize).", 1);

    public Option<double?> LearningRate { get; } = OptionParsers.Double("--lr", "Learning rate (overrides training.optimizer.learningRate).", 0, double.PositiveInfinity, exclusiveMinimum: true, "--learning-rate");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Config, Preset, Train, Validation, Test, Users, Videos, UserVectors, Cache, TrainDays, ValidationDays, TestDays, Tasks, MinCount, Rows, Correlation, Epochs, BatchSize, LearningRate })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>Loads the experiment file (if any), applies the command line and validates the result.</summary>
    /// <returns>The configuration and what it came from (the file, or "command line").</returns>
    public async Task<(ExperimentConfig Config, string Source)> BuildAsync(ParseResult parse, Session session, Func<ExperimentConfig, ExperimentConfig>? adjust, CancellationToken cancellationToken)
    {
        var path = parse.Given(Config);
        var file = path is null ? null : await ExperimentConfigLoader.LoadAsync(path, cancellationToken);
        var presetText = parse.Given(Preset);
        if (file is null && presetText is null)
        {
            throw new CliUsageException(Config.Name, $"give an experiment file (--config FILE) or a dataset preset (--preset {string.Join("|", DatasetPresets.Names)})");
        }

        string? preset = null;
        if (presetText is not null)
        {
            try
            {
                preset = DatasetPresets.Resolve(presetText);
            }
            catch (ArgumentException e)
            {
                throw new CliUsageException(Preset.Name, ErrorReport.WithoutParameter(e.Message));
            }
        }

        var data = file?.Data ?? new DataConfig();
        if (preset is not null && !string.Equals(data.Preset, preset, StringComparison.OrdinalIgnoreCase))
        {
            // Another dataset: none of the file's data settings apply to it.
            data = new DataConfig { Preset = preset, Resident = data.Resident };
        }

        var tasks = parse.Given(Tasks);
        data = data with
        {
            Train = parse.Given(Train) ?? data.Train,
            Validation = parse.Given(Validation) ?? data.Validation,
            Test = parse.Given(Test) ?? data.Test,
            Users = parse.Given(Users) ?? data.Users,
            Videos = parse.Given(Videos) ?? data.Videos,
            UserVectors = parse.Given(UserVectors) ?? data.UserVectors,
            Cache = parse.Given(Cache) ?? data.Cache,
            TrainDays = parse.Given(TrainDays) ?? data.TrainDays,
            ValidationDays = parse.Given(ValidationDays) ?? data.ValidationDays,
            TestDays = parse.Given(TestDays) ?? data.TestDays,
            Tasks = tasks is { Length: > 0 } ? tasks : data.Tasks,
            MinCount = parse.Given(MinCount) ?? data.MinCount,
            Rows = parse.Given(Rows) ?? data.Rows,
            Correlation = parse.Given(Correlation) ?? data.Correlation,
        };

        if (preset is not null)
        {
            CheckPresetSettings(DatasetPresets.Get(preset), data);
        }

        var config = (file ?? new ExperimentConfig { Data = data }) with { Data = data };
        var training = config.Training;
        var learningRate = parse.Given(LearningRate);
        config = config with
        {
            Training = training with
            {
                Epochs = parse.Given(Epochs) ?? training.Epochs,
                BatchSize = parse.Given(BatchSize) ?? training.BatchSize,
                Seed = session.Seed ?? training.Seed,
                Optimizer = learningRate is { } lr ? training.Optimizer with { LearningRate = lr } : training.Optimizer,
            },
            Runtime = config.Runtime with
            {
                Device = session.Device ?? config.Runtime.Device,
                Threads = session.Threads ?? config.Runtime.Threads,
            },
        };
        if (adjust is not null)
        {
            config = adjust(config);
        }

        var source = path ?? CommandLineSource;
        ExperimentConfigLoader.Validate(config, source);
        CheckTasks(config, source);
        CheckFilesExist(config.Data);
        return (config, source);
    }

    /// <summary>
    /// The trainer checks the monitor and the fixed task weights only once the data is loaded and
    /// encoded, which on a large log is minutes in; the task names follow from the configuration
    /// alone, so check both now.
    /// </summary>
    private static void CheckTasks(ExperimentConfig config, string source)
    {
        var tasks = TaskNames(config.Data);
        if (tasks is null)
        {
            return;
        }

        try
        {
            _ = MonitorMetric.Parse(config.Training.Monitor, tasks);
        }
        catch (ArgumentException e)
        {
            throw new ExperimentConfigException(source, "$.training.monitor", ErrorReport.WithoutParameter(e.Message), e);
        }

        try
        {
            LossWeightings.Validate(config.Weighting, tasks);
        }
        catch (ArgumentException e)
        {
            var path = string.IsNullOrEmpty(e.ParamName) ? "$.weighting" : $"$.weighting.{JsonNamingPolicy.CamelCase.ConvertName(e.ParamName)}";
            throw new ExperimentConfigException(source, path, ErrorReport.WithoutParameter(e.Message), e);
        }
    }

    /// <summary>Fails with the reader's own message before any log line or loading, rather than minutes into it.</summary>
    private static void CheckFilesExist(DataConfig data)
    {
        var files = new[] { data.Train, data.Validation, data.Test, data.Users, data.Videos, data.UserVectors }.Concat(data.Joins?.Select(j => j.Path) ?? []);
        foreach (var file in files)
        {
            if (!string.IsNullOrWhiteSpace(file) && !File.Exists(file))
            {
                throw new DataFormatException(file, "file not found");
            }
        }
    }

    private static IReadOnlyList<string>? TaskNames(DataConfig data) =>
        data.Preset is null ? data.Schema?.Tasks.Select(t => t.Name).ToArray() : DatasetPresets.Get(data.Preset).TaskNames(data);

    /// <summary>
    /// A preset named on the command line checks its settings here, so that a missing one is
    /// reported as the option that gives it (<c>--train</c>) rather than as a JSON path.
    /// </summary>
    private void CheckPresetSettings(IDatasetPreset preset, DataConfig data)
    {
        try
        {
            preset.Validate(data);
        }
        catch (ArgumentException e) when (e.ParamName is { } setting && DataOptions().TryGetValue(setting, out var option))
        {
            var usage = option.HelpName is null ? option.Name : $"{option.Name} {option.HelpName}";
            throw new CliUsageException(option.Name, $"{ErrorReport.WithoutParameter(e.Message)} ({usage})");
        }
        catch (ArgumentException)
        {
            // A setting no option gives (a schema, joins): the experiment's validation, which
            // follows, reports it with its JSON path.
        }
    }

    /// <summary>The data section's settings (as JSON names them) and the options that set them.</summary>
    private Dictionary<string, Option> DataOptions() => new(StringComparer.OrdinalIgnoreCase)
    {
        ["train"] = Train,
        ["validation"] = Validation,
        ["test"] = Test,
        ["users"] = Users,
        ["videos"] = Videos,
        ["userVectors"] = UserVectors,
        ["cache"] = Cache,
        ["trainDays"] = TrainDays,
        ["validationDays"] = ValidationDays,
        ["testDays"] = TestDays,
        ["tasks"] = Tasks,
        ["minCount"] = MinCount,
        ["rows"] = Rows,
        ["correlation"] = Correlation,
    };

    /// <summary>A short description of the data for log lines.</summary>
    public static string Describe(DataConfig data) =>
        data.Preset is null ? $"custom data ({data.Train})" : DatasetPresets.Get(data.Preset).DescribeSource(data);

    /// <summary>Default output directory: runs/yyyyMMdd-HHmmss-NAME under the current directory.</summary>
    public static string DefaultOutput(string name) =>
        Path.Combine("runs", $"{DateTime.Now.ToString("yyyyMMdd-HHmmss", System.Globalization.CultureInfo.InvariantCulture)}-{name}");
}
