using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Reporting;

namespace STEM.Recommenders.Cli.Commands;

/// <summary>
/// <c>stem tune</c>: trains the experiment's search space trial by trial on data loaded once, picks
/// the winner on validation only, and writes tuning.json, tuning.md, best.experiment.json and
/// report.html with the trials' pictures.
/// </summary>
internal static class TuneCommand
{
    public static Command Create(StemApp app)
    {
        var experiment = new ExperimentOptions();
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Tuning directory: tuning.json (state and results), tuning.md, best.experiment.json, report.html and its pictures (PNG, SVG). A rerun with the same directory skips the trials it holds. Default runs/TIMESTAMP-tune.",
            HelpName = "DIR",
        };
        var trials = OptionParsers.Int("--trials", "Trial budget (overrides search.trials): the first N trials of the grid or of the seeded random draw.", 1);
        var command = new Command("tune", "Tune the search space of an experiment file (grid or seeded random search) on validation only; resumable; writes the winner as best.experiment.json and report.html with pictures of the trials.");
        experiment.AddTo(command);
        command.Options.Add(output);
        command.Options.Add(trials);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var budget = parse.Given(trials);
            var (config, source) = await experiment.BuildAsync(
                parse,
                session,
                c => c.Search is null || budget is null ? c : c with { Search = c.Search with { Trials = budget } },
                cancellationToken);
            if (config.Search is not { } search)
            {
                throw new CliUsageException(experiment.Config.Name, $"{source} has no search section: give one, e.g. \"search\": {{\"space\": {{\"training.optimizer.learningRate\": [0.001, 0.0005]}}}} (see docs/cli.md)");
            }

            var directory = parse.GetValue(output) ?? ExperimentOptions.DefaultOutput("tune");
            OutputPaths.CheckWritableDirectory(output.Name, directory);
            session.CheckJsonPathWritable();
            // A directory of another dataset or experiment fails now, with one line, not after loading the data.
            _ = ExperimentTuner.Previous(config, directory);
            var name = ModelCatalog.NameOf(config.Model);
            var size = SearchSpace.Size(search);
            var count = Math.Min(search.Trials ?? long.MaxValue, size);
            // Start the runtime before the first log line, so that a missing backend or GPU fails with one line.
            ExperimentRunner.StartRuntime(config.Runtime);
            session.Info($"Tuning {name}: {count} of {size} trials ({search.Strategy.ToString().ToLowerInvariant()} search over {string.Join(", ", search.Space.Keys.Order(StringComparer.Ordinal))}), chosen on validation {search.Monitor ?? config.Training.Monitor}, on {ExperimentOptions.Describe(config.Data)}; output in {directory}");

            var tuner = new ExperimentTuner(new ExperimentRunner(readers: DataFiles.Readers()));
            var report = await ProgressView.RunAsync(session, progress => tuner.TuneAsync(config, directory, progress, cancellationToken));
            var reused = report.Trials.Count(t => t.Reused);
            if (reused > 0)
            {
                session.Info($"{reused} of {report.Trials.Count} trials were finished in {directory} already and were not trained again.");
            }

            var best = report.Trials.Single(t => t.Number == report.Best);
            var pictures = ReportWriter.Write(report, directory);
            var bestFile = Path.Combine(directory, ExperimentTuner.BestFile);
            if (session.ShowResults)
            {
                session.WriteTable(Render.TuningTable(session, report), $"Trials ranked by validation {report.Monitor} (the test split is not evaluated)");
                session.Result($"Best: trial {best.Number}, validation {report.Monitor} {Render.Metric(best.Score)}, {best.Key}");
                session.Result($"Winner:  {bestFile} (test it once with: stem compare --config {source} --tuned {directory})");
                session.Result($"Reports: {Path.Combine(directory, ExperimentTuner.ResultsFile)}, {Path.Combine(directory, ExperimentTuner.StateFile)}");
                session.Result($"Pictures: {pictures.HtmlPath} ({pictures.Charts.Count} picture{(pictures.Charts.Count == 1 ? string.Empty : "s")} as PNG and SVG beside it)");
            }

            await session.WriteJsonAsync(
                new TuneResult("tune", name, directory, bestFile, Path.Combine(directory, ExperimentTuner.StateFile), Path.Combine(directory, ExperimentTuner.ResultsFile), report.Trials.Count - reused, reused, report),
                cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The --json document of <c>stem tune</c>.</summary>
    internal sealed record TuneResult(string Command, string Model, string OutputDirectory, string Best, string State, string Report, int Trained, int Reused, TuningReport Tuning);
}
