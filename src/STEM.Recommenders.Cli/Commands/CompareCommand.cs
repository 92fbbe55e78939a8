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
        var variants = OptionParsers.List("--variants", "Named variants of the experiment file's variants section to run as rows of their own, comma-separated, or 'all'.", "NAME[,...]|all");
        var tuned = OptionParsers.List("--tuned", "Directories written by stem tune (one per model): each winner (best.experiment.json) runs as the row MODEL-tuned; it must have been tuned on this data.", "DIR[,...]");
        var seeds = OptionParsers.Int("--seeds", "Seeds per model (the training seed, then +1, +2, ...).", 1, 3);
        var output = new Option<string?>("--output", "-o")
        {
            Description = "Output directory for comparison.md, comparison.json, report.html and its pictures (PNG, SVG). Default runs/TIMESTAMP-compare.",
            HelpName = "DIR",
        };
        var command = new Command("compare", "Train several models with several seeds on one split and report per-task test metrics as mean ± std.");
        experiment.AddTo(command);
        command.Options.Add(models);
        command.Options.Add(variants);
        command.Options.Add(tuned);
        command.Options.Add(seeds);
        command.Options.Add(output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var names = (parse.Given(models) ?? []).Select(m => TrainCommand.Resolve(models.Name, m)).Distinct().ToArray();
            var variantNames = parse.Given(variants) ?? [];
            var tunedDirectories = parse.Given(tuned) ?? [];
            if (names.Length == 0 && variantNames.Length == 0 && tunedDirectories.Length == 0)
            {
                throw new CliUsageException(models.Name, "name at least one model (or give --variants or --tuned)");
            }

            var (config, source) = await experiment.BuildAsync(parse, session, null, cancellationToken);
            var seedCount = parse.GetValue(seeds);
            var directory = parse.GetValue(output) ?? ExperimentOptions.DefaultOutput("compare");
            var configured = ModelCatalog.NameOf(config.Model);
            var defaults = names.Where(n => n != configured).ToArray();
            List<NamedExperiment>? rows = null;
            if (variantNames.Length > 0 || tunedDirectories.Length > 0)
            {
                // Models, variants and tuned winners as named rows (read and checked before any data
                // is loaded); the negative-transfer analysis is for --models alone.
                rows = [.. names.Select(n => new NamedExperiment(n, config with { Model = n == configured ? config.Model : ModelCatalog.DefaultOptions(n) with { Precision = config.Model.Precision }, Search = null, Variants = null }))];
                rows.AddRange(SelectVariants(variants.Name, variantNames, config, source));
                foreach (var tunedDirectory in tunedDirectories)
                {
                    rows.Add(await TunedExperiments.LoadAsync(tunedDirectory, config, cancellationToken));
                }

                if (rows.GroupBy(r => r.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } repeated)
                {
                    throw new CliUsageException(tunedDirectories.Length > 0 ? tuned.Name : variants.Name, $"'{repeated.Key}' names two rows of the comparison");
                }
            }

            var labels = rows?.Select(r => r.Name).ToArray() ?? names;
            // Start the runtime before the first log line, so that a missing backend or GPU fails with one line.
            ExperimentRunner.StartRuntime(config.Runtime);
            session.Info($"Comparing {string.Join(", ", labels)} × {seedCount} seed{(seedCount == 1 ? string.Empty : "s")} on {ExperimentOptions.Describe(config.Data)}; output in {directory}");
            if (defaults.Length > 0 && names.Contains(configured))
            {
                session.Info($"Note: {string.Join(", ", defaults)} {(defaults.Length == 1 ? "uses its" : "use their")} default options; only {configured} takes the experiment's model options.");
            }

            var runner = new ExperimentRunner(readers: DataFiles.Readers());
            var report = rows is null
                ? await ProgressView.RunAsync(session, progress => runner.CompareAsync(config, names, seedCount, directory, progress, cancellationToken))
                : await ProgressView.RunAsync(session, progress => new VariantComparer(runner).CompareAsync(rows, seedCount, directory, progress, cancellationToken));
            var pictures = ReportWriter.Write(report, directory);
            if (session.ShowResults)
            {
                session.WriteTable(Render.ComparisonTable(session, report), Render.ComparisonTitle(report));
                session.Result($"Reports: {Path.Combine(directory, "comparison.md")}, {Path.Combine(directory, "comparison.json")}");
                session.Result($"Pictures: {pictures.HtmlPath} ({pictures.Charts.Count} pictures as PNG and SVG beside it)");
            }

            await session.WriteJsonAsync(new CompareResult("compare", labels, seedCount, directory, report), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The named variants of the experiment file, in file order ('all'), or those named, in the order given.</summary>
    private static IEnumerable<NamedExperiment> SelectVariants(string option, string[] wanted, ExperimentConfig config, string source)
    {
        if (wanted.Length == 0)
        {
            return [];
        }

        var all = ExperimentVariants.Resolve(config, source);
        if (all.Count == 0)
        {
            throw new CliUsageException(option, $"{source} has no variants section: give one, e.g. \"variants\": [{{\"name\": \"stem-dense-adam\", \"overrides\": {{\"training.optimizer.embeddingUpdate\": \"Dense\"}}}}] (see docs/cli.md)");
        }

        if (wanted is ["all"])
        {
            return all;
        }

        return wanted.Select(name => all.FirstOrDefault(v => string.Equals(v.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new CliUsageException(option, $"'{name}' is not a variant of {source}; variants: {string.Join(", ", all.Select(v => v.Name))}"));
    }

    /// <summary>The --json document of <c>stem compare</c>.</summary>
    internal sealed record CompareResult(string Command, IReadOnlyList<string> Models, int Seeds, string OutputDirectory, ComparisonReport Report);
}
