// Quickstart: train STEM-Net, MMoE and PLE on the bundled KuaiRand sample and compare per-task AUC
// on the held-out last day.
//
//   dotnet run --project samples/Quickstart [-- --data DIR] [--epochs N] [--models stem-net,mmoe,ple]
//
// DIR holds log*.csv.gz, user*.csv.gz and video*.csv.gz (e.g. ../shared/data/kuairand-pure).
using System.Diagnostics;
using Spectre.Console;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

var options = QuickstartOptions.Parse(args);
if (Console.IsOutputRedirected)
{
    // Logs and CI capture: lay the table out for a wide page instead of the 80-column default.
    AnsiConsole.Profile.Width = 140;
}

TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu });

AnsiConsole.MarkupLine($"[bold]STEM.Recommenders quickstart[/] — KuaiRand data from [grey]{Markup.Escape(options.DataDirectory)}[/]");
var splits = await KuaiRandPreset.LoadAsync(new KuaiRandOptions
{
    LogPath = options.Find("log"),
    UserFeaturesPath = options.Find("user"),
    VideoFeaturesPath = options.Find("video"),
});
using var data = splits.Encode();
AnsiConsole.MarkupLine(
    $"Train {data.Train.Count:N0} rows (04-25..04-29), validation {data.Validation.Count:N0} (04-30), test {data.Test.Count:N0} (05-01); " +
    $"{data.Pipeline.Layout.FieldCount} fields, {data.Pipeline.Layout.TotalRows:N0} embedding rows; tasks {string.Join(", ", data.Pipeline.TaskNames)}.");

var results = new List<(string Model, EvaluationReport Test, TrainingResult Training, TimeSpan Time)>();
AnsiConsole.Progress()
    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn(), new SpinnerColumn())
    .Start(context =>
    {
        foreach (var name in options.Models)
        {
            var bar = context.AddTask(name, maxValue: options.Epochs * Math.Ceiling(data.Train.Count / (double)options.BatchSize));
            manual_seed(2023);
            using var model = ModelCatalog.Create(name, data.Pipeline.Layout, data.Pipeline.TaskNames);
            var trainer = new Trainer(new TrainerOptions { Epochs = options.Epochs, BatchSize = options.BatchSize, ProgressEverySteps = 1 });
            var clock = Stopwatch.StartNew();
            var training = trainer.Fit(model, data.Train, data.Validation, new BarProgress(bar));
            bar.Value = bar.MaxValue;
            results.Add((name, Evaluator.Evaluate(model, data.Test), training, clock.Elapsed));
        }
    });

var table = new Table().Title("Test AUC (2022-05-01), best validation epoch").AddColumn("model");
foreach (var task in data.Pipeline.TaskNames)
{
    table.AddColumn(new TableColumn(task).RightAligned());
}

table.AddColumn(new TableColumn("mean AUC").RightAligned()).AddColumn(new TableColumn("mean gAUC").RightAligned()).AddColumn(new TableColumn("best epoch").RightAligned()).AddColumn(new TableColumn("train rows/s").RightAligned());
foreach (var (model, test, training, _) in results)
{
    table.AddRow([model, .. test.Tasks.Select(t => $"{t.Auc:F4}"), $"{test.MeanAuc:F4}", $"{test.MeanGAuc:F4}", $"{training.Best?.Epoch}", $"{training.SamplesPerSecond:N0}"]);
}

AnsiConsole.Write(table);
AnsiConsole.MarkupLine("[grey]The sample is small (12.7k training rows): differences of ±0.01 AUC are within seed noise. docs/results.md has the full-data comparison over three seeds.[/]");

internal sealed class BarProgress(ProgressTask bar) : IProgress<TrainingProgress>
{
    public void Report(TrainingProgress value)
    {
        bar.Value = Math.Min(bar.MaxValue, value.GlobalStep);
        if (value.Validation is { } report)
        {
            bar.Description = $"{bar.Description.Split(' ')[0]} epoch {value.Epoch}: valid AUC {report.MeanAuc:F4}";
        }
    }
}

internal sealed record QuickstartOptions(string DataDirectory, IReadOnlyList<string> Models, int Epochs, int BatchSize)
{
    public static QuickstartOptions Parse(string[] args)
    {
        var data = Path.Combine(AppContext.BaseDirectory, "data", "kuairand-sample");
        IReadOnlyList<string> models = [StemNet.Name, Mmoe.Name, Ple.Name];
        var epochs = 5;
        var batch = 1024;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--data": data = Next(); break;
                case "--models": models = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ModelCatalog.Resolve).ToArray(); break;
                case "--epochs": epochs = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--batch-size": batch = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --data DIR, --models a,b,c, --epochs N, --batch-size N.");
            }
        }

        return new QuickstartOptions(data, models, epochs, batch);
    }

    public string Find(string prefix) =>
        Directory.EnumerateFiles(DataDirectory, $"{prefix}*.csv*").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault()
        ?? throw new FileNotFoundException($"No {prefix}*.csv[.gz] file in {DataDirectory}.");
}
