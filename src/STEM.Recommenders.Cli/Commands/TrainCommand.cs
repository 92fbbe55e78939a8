using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Reporting;

namespace STEM.Recommenders.Cli.Commands;

/// <summary><c>stem train</c>: trains one model, keeps the best checkpoint and writes the artifact and reports.</summary>
internal static class TrainCommand
{
    public static Command Create(StemApp app)
    {
        var experiment = new ExperimentOptions();
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Output directory: model/ (the artifact), checkpoints/, metrics.json, report.md, report.html and its pictures (PNG, SVG). Default runs/TIMESTAMP-MODEL.",
            HelpName = "DIR",
        };
        var model = new Option<string?>("--model", "-m")
        {
            Description = $"Model to train with its default options, when the experiment file names another or there is none: {string.Join(", ", ModelCatalog.Names)}. Default stem-net.",
            HelpName = "NAME",
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace the artifact and reports that an earlier run left in the output directory (otherwise the run is refused before it starts)." };
        var command = new Command("train", "Train one model on an experiment file or a dataset preset; write the artifact (best validation checkpoint), metrics.json, report.md and report.html with pictures.");
        experiment.AddTo(command);
        command.Options.Add(model);
        command.Options.Add(output);
        command.Options.Add(overwrite);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var modelName = parse.GetValue(model) is { } text ? Resolve(model.Name, text) : null;
            var (config, _) = await experiment.BuildAsync(
                parse,
                session,
                c => modelName is null || ModelCatalog.NameOf(c.Model) == modelName ? c : c with { Model = ModelCatalog.DefaultOptions(modelName) },
                cancellationToken);
            var name = ModelCatalog.NameOf(config.Model);
            var directory = parse.GetValue(output) ?? ExperimentOptions.DefaultOutput(name);
            CheckOutputs(session, directory, parse.GetValue(overwrite));
            // Start the runtime before the first log line, so that a missing backend or GPU fails with one line.
            ExperimentRunner.StartRuntime(config.Runtime);
            session.Info($"Training {name} on {ExperimentOptions.Describe(config.Data)}; output in {directory}");

            var runner = new ExperimentRunner(readers: DataFiles.Readers());
            var result = await ProgressView.RunAsync(session, progress => runner.TrainAsync(config, directory, progress, cancellationToken));
            using var artifact = result.Artifact;
            var report = result.Report;
            var artifactPath = Path.Combine(directory, ExperimentRunner.ModelDirectory);
            var pictures = ReportWriter.Write(report, directory);
            if (session.ShowResults)
            {
                session.Result($"{report.Model}: {(report.TaskBestEpochs is { } perTask ? "best epochs " + string.Join(", ", perTask.Select(p => $"{p.Key} {p.Value}")) : $"best epoch {report.BestEpoch}")}, {report.Steps:N0} steps, {report.SamplesPerSecond:N0} rows/s, {report.Parameters:N0} parameters, {report.TrainingTime:hh\\:mm\\:ss}{(report.ExpertExecution is { } experts ? ", experts " + experts : "")}{(report.Precision is { } precision ? ", " + precision : "")}");
                session.WriteTable(Render.TrainingTable(session, report));
                session.Result($"Artifact: {artifactPath}");
                session.Result($"Reports:  {Path.Combine(directory, "metrics.json")}, {Path.Combine(directory, "report.md")}");
                session.Result($"Pictures: {pictures.HtmlPath} ({pictures.Charts.Count} pictures as PNG and SVG beside it)");
            }

            await session.WriteJsonAsync(
                new TrainResult("train", report.Model, directory, artifactPath, Path.Combine(directory, "metrics.json"), Path.Combine(directory, "report.md"), report),
                cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>What a run writes into its output directory and would replace.</summary>
    internal static readonly string[] Outputs = [ExperimentRunner.ModelDirectory, "metrics.json", "report.md"];

    // Hours of training must not end in "permission denied" or replace an earlier run's artifact.
    private static void CheckOutputs(Session session, string directory, bool overwrite)
    {
        var existing = OutputPaths.Existing(directory, Outputs);
        if (existing.Length > 0 && !overwrite)
        {
            throw new CliUsageException("--output", $"'{directory}' already holds the outputs of an earlier run ({string.Join(", ", existing)}); give --overwrite to replace them, or another --output");
        }

        OutputPaths.CheckWritableDirectory("--output", directory);
        session.CheckJsonPathWritable();
    }

    internal static string Resolve(string option, string name)
    {
        try
        {
            return ModelCatalog.Resolve(name);
        }
        catch (ArgumentException e)
        {
            throw new CliUsageException(option, ErrorReport.WithoutParameter(e.Message));
        }
    }

    /// <summary>The --json document of <c>stem train</c>.</summary>
    internal sealed record TrainResult(string Command, string Model, string OutputDirectory, string Artifact, string Metrics, string Report, ModelRunReport Run);
}
