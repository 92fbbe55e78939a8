using System.CommandLine;
using System.Diagnostics;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Pretraining;
using STEM.Recommenders.Scaling;

namespace STEM.Recommenders.Cli.Commands;

/// <summary><c>stem scale</c>: a CLUE scaling study — grids, fits with bootstrap intervals, pictures and report.md.</summary>
internal static class ScaleCommand
{
    public static Command Create(StemApp app)
    {
        var data = new ClueDataOptions();
        var output = new Option<string?>("--output", "-o") { Description = "Output directory: runs.json, report.md and the plots (PNG and SVG). Default runs/TIMESTAMP-scale.", HelpName = "DIR" };
        var quick = new Option<bool>("--quick") { Description = "A small grid (one seed, short runs) for a smoke test or the bundled sample." };
        var seeds = OptionParsers.Int("--seeds", "Seeds per configuration (default 3; 1 with --quick).", 1);
        var evalBatch = OptionParsers.Int("--eval-batch-size", "Users per held-out evaluation batch, fixed across the study (default 128; 32 with --quick).", 2);
        var noSynthetic = new Option<bool>("--no-synthetic") { Description = "Leave out the synthetic data series." };
        var from = new Option<string?>("--from") { Description = "Fit, plot and report the runs of an earlier study's runs.json instead of running the grids.", HelpName = "FILE" };
        var views = new Option<string?>("--views") { Description = "Two views of a user, as for stem pretrain: service (default), time:VALUE or random.", HelpName = "service|time:VALUE|random" };
        var minTokenCount = OptionParsers.Int("--min-token-count", "Tokens seen fewer times among the training users become OOV (default 2).", 1);
        var temperature = OptionParsers.Double("--temperature", "Fixed temperature of the contrastive loss in every run (default 0.2).", 0, 100, exclusiveMinimum: true);
        var command = new Command("scale", "CLUE: a scaling-law study of contrastive pretraining over compute, parameters, batch size, sequence length and data; fits L = (C/C0)^-a and L = Linf + (C/C0)^-a.");
        data.AddTo(command);
        foreach (var option in new Option[] { quick, seeds, evalBatch, views, minTokenCount, temperature, noSynthetic, from, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var options = parse.GetValue(quick) ? Quick : new ScalingStudyOptions();
            if (parse.GetValue(seeds) is { } n)
            {
                options = options with { Seeds = Enumerable.Range(1, n).ToArray() };
            }

            if (parse.GetValue(evalBatch) is { } b)
            {
                options = options with { EvaluationBatchSize = b };
            }

            if (parse.GetValue(temperature) is { } t)
            {
                options = options with { Loss = options.Loss with { Temperature = t } };
            }

            var study = new ScalingStudy(options);
            var directory = parse.GetValue(output) ?? ExperimentOptions.DefaultOutput("scale");
            if (parse.GetValue(from) is { } earlier)
            {
                var loaded = ScalingRuns.Load(earlier);
                var again = ScalingStudyReport.Write(loaded, directory);
                session.Result($"{loaded.Count} runs from {earlier}; report: {again.ReportPath}");
                await session.WriteJsonAsync(new ScaleResult("scale", directory, again.ReportPath, again.RunsPath, loaded.Count, 0, again.Fits), cancellationToken);
                return ExitCodes.Success;
            }

            session.StartRuntime();
            var (events, sequences, description) = await data.LoadAsync(parse, session, cancellationToken);
            sequences = sequences with
            {
                Views = PretrainCommand.ParseViews(parse.GetValue(views), sequences.Views, session.Seed ?? 2023, views.Name),
                MinTokenCount = parse.GetValue(minTokenCount) ?? sequences.MinTokenCount,
            };
            var series = parse.GetValue(data.Source)!;
            var synthetic = parse.GetValue(noSynthetic) || series == ClueDataOptions.Synthetic ? null : new SyntheticUserLogOptions { Seed = (int)(session.Seed ?? 2023) };
            session.Info($"Scaling study on {description}{(synthetic is null ? string.Empty : " plus a synthetic series")}; output in {directory}");
            var clock = Stopwatch.StartNew();
            var count = 0;
            var progress = new Progress<ScalingRun>(r => session.Info($"[{++count}] {r.Name}: loss {r.Loss:F4}, {r.Compute:E2} FLOPs, {r.WallSeconds:F1} s"));
            var runs = await Task.Factory.StartNew(() => study.Run(events, sequences, series, synthetic, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            var outcome = ScalingStudyReport.Write(runs, directory);
            clock.Stop();
            if (session.ShowResults)
            {
                session.Result($"{runs.Count} runs in {clock.Elapsed:hh\\:mm\\:ss}; compute spans {Orders(runs.Select(r => r.Compute)):F1} orders of magnitude");
                foreach (var fit in outcome.Fits)
                {
                    var interval = fit.Interval is { } i ? $" (95% interval {i.Low:F3}–{i.High:F3})" : string.Empty;
                    session.Result($"{fit.Label}: α = {fit.Fit.Alpha:F3}{interval}");
                }

                if (outcome.BatchModel is { } verdict)
                {
                    session.Result(verdict.Summary);
                }

                session.Result($"Report: {outcome.ReportPath}");
            }

            await session.WriteJsonAsync(new ScaleResult("scale", directory, outcome.ReportPath, outcome.RunsPath, runs.Count, clock.Elapsed.TotalSeconds, outcome.Fits), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>A grid small enough for the bundled sample and a smoke test (a minute or two).</summary>
    internal static ScalingStudyOptions Quick { get; } = new()
    {
        Seeds = [1],
        EvaluationBatchSize = 32,
        BaseBatchSize = 32,
        Steps = [10, 20, 40],
        Widths = [8, 16, 32],
        ParameterSteps = 20,
        BatchSizes = [8, 16, 32],
        BatchWidths = [8, 32],
        BatchEpochs = 1,
        SequenceLengths = [4, 8],
        SequenceSteps = 20,
        UserFractions = [0.25, 0.5, 1.0],
        SyntheticUsers = [100, 300, 1_000],
        DataEpochs = 1,
    };

    private static double Orders(IEnumerable<double> values)
    {
        var positive = values.Where(v => v > 0).ToArray();
        return positive.Length == 0 ? 0 : Math.Log10(positive.Max() / positive.Min());
    }

    /// <summary>The --json document of <c>stem scale</c>.</summary>
    internal sealed record ScaleResult(string Command, string OutputDirectory, string Report, string Runs, int RunCount, double Seconds, IReadOnlyList<ScalingFitResult> Fits);
}
