using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Reporting;

namespace STEM.Recommenders.Cli.Commands;

/// <summary><c>stem compare</c>: several models × seeds on one split, reported as mean ± std.</summary>
internal static class CompareCommand
{
    public static Command Create(StemApp app)
    {
        var experiment = new ExperimentOptions();
        var models = OptionParsers.List("--models", $"Models to compare, comma-separated: {string.Join(", ", ModelCatalog.Names)}. The experiment's model keeps its options; the others use their defaults.", "NAME[,...]");
        models.Required = true;
        var seeds = OptionParsers.Int("--seeds", "Seeds per model (the training seed, then +1, +2, ...).", 1, 3);
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Output directory for comparison.md, comparison.json, report.html and its pictures (PNG, SVG). Default runs/TIMESTAMP-compare.",
            HelpName = "DIR",
        };
        var command = new Command("compare", "Train several models with several seeds on one split and report per-task test metrics as mean ± std.");
        experiment.AddTo(command);
        command.Options.Add(models);
        command.Options.Add(seeds);
        command.Options.Add(output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var names = parse.GetRequiredValue(models).Select(m => TrainCommand.Resolve(models.Name, m)).Distinct().ToArray();
            if (names.Length == 0)
            {
                throw new CliUsageException(models.Name, "name at least one model");
            }

            var (config, _) = await experiment.BuildAsync(parse, session, null, cancellationToken);
            var seedCount = parse.GetValue(seeds);
            var directory = parse.GetValue(output) ?? ExperimentOptions.DefaultOutput("compare");
            var configured = ModelCatalog.NameOf(config.Model);
            var defaults = names.Where(n => n != configured).ToArray();
            // Start the runtime before the first log line, so that a missing backend or GPU fails with one line.
            ExperimentRunner.StartRuntime(config.Runtime);
            session.Info($"Comparing {string.Join(", ", names)} × {seedCount} seed{(seedCount == 1 ? string.Empty : "s")} on {ExperimentOptions.Describe(config.Data)}; output in {directory}");
            if (defaults.Length > 0 && names.Contains(configured))
            {
                session.Info($"Note: {string.Join(", ", defaults)} {(defaults.Length == 1 ? "uses its" : "use their")} default options; only {configured} takes the experiment's model options.");
            }

            var runner = new ExperimentRunner(readers: DataFiles.Readers());
            var report = await ProgressView.RunAsync(session, progress => runner.CompareAsync(config, names, seedCount, directory, progress, cancellationToken));
            var pictures = ReportWriter.Write(report, directory);
            if (session.ShowResults)
            {
                session.WriteTable(Render.ComparisonTable(session, report), Render.ComparisonTitle(report));
                session.Result($"Reports: {Path.Combine(directory, "comparison.md")}, {Path.Combine(directory, "comparison.json")}");
                session.Result($"Pictures: {pictures.HtmlPath} ({pictures.Charts.Count} pictures as PNG and SVG beside it)");
            }

            await session.WriteJsonAsync(new CompareResult("compare", names, seedCount, directory, report), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The --json document of <c>stem compare</c>.</summary>
    internal sealed record CompareResult(string Command, IReadOnlyList<string> Models, int Seeds, string OutputDirectory, ComparisonReport Report);
}
