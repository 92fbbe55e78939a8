using System.Globalization;
using Spectre.Console;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Training progress on stderr: Spectre.Console bars on a terminal, one plain line per validation
/// pass when stderr is a file or a pipe (bars would fill a log with redraw sequences), nothing with --quiet.
/// </summary>
internal static class ProgressView
{
    public static async Task<T> RunAsync<T>(Session session, Func<IProgress<ExperimentProgress>?, Task<T>> body)
    {
        if (session.Quiet)
        {
            return await body(null);
        }

        if (session.StderrIsTerminal && session.Errors.Profile.Capabilities.Interactive)
        {
            return await session.Errors.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new SpinnerColumn())
                .StartAsync(async context =>
                {
                    var bars = new BarProgress(context);
                    try
                    {
                        return await body(bars);
                    }
                    finally
                    {
                        bars.Complete();
                    }
                });
        }

        return await body(new LineProgress(session.Stderr));
    }

    private static string Label(ExperimentProgress value) =>
        string.Create(CultureInfo.InvariantCulture, $"[{value.Run}/{value.Runs}] {value.Model} seed {value.Seed}");

    private sealed class BarProgress : IProgress<ExperimentProgress>
    {
        private readonly object _gate = new();
        private readonly ProgressContext _context;
        private readonly Dictionary<int, ProgressTask> _bars = new();
        private readonly ProgressTask _loading;

        public BarProgress(ProgressContext context)
        {
            _context = context;
            _loading = context.AddTask("loading and encoding data", maxValue: 1).IsIndeterminate();
        }

        public void Report(ExperimentProgress value)
        {
            var training = value.Training;
            lock (_gate)
            {
                FinishLoading();
                if (!_bars.TryGetValue(value.Run, out var bar))
                {
                    foreach (var previous in _bars.Values)
                    {
                        Finish(previous);
                    }

                    bar = _context.AddTask(Markup.Escape(Label(value)), maxValue: Math.Max(1, (double)training.Epochs * training.StepsPerEpoch));
                    _bars[value.Run] = bar;
                }

                bar.Value = Math.Min(bar.MaxValue, training.GlobalStep);
                if (training.Validation is { } validation)
                {
                    bar.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{Label(value)} epoch {training.Epoch}/{training.Epochs}: valid AUC {validation.MeanAuc:F4}"));
                }
            }
        }

        public void Complete()
        {
            lock (_gate)
            {
                FinishLoading();
                foreach (var bar in _bars.Values)
                {
                    Finish(bar);
                }
            }
        }

        private static void Finish(ProgressTask bar)
        {
            // Early stopping ends a run before its last planned step; the run is done all the same.
            bar.Value = bar.MaxValue;
            bar.StopTask();
        }

        private void FinishLoading()
        {
            if (!_loading.IsFinished)
            {
                _loading.IsIndeterminate(false);
                _loading.Value = 1;
                _loading.StopTask();
            }
        }
    }

    private sealed class LineProgress(TextWriter writer) : IProgress<ExperimentProgress>
    {
        public void Report(ExperimentProgress value)
        {
            var training = value.Training;
            if (training.Validation is not { } validation)
            {
                return;
            }

            var tasks = string.Join(", ", validation.Tasks.Select(t => string.Create(CultureInfo.InvariantCulture, $"{t.Task} {t.Auc:F4}")));
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{Label(value)}: epoch {training.Epoch}/{training.Epochs}, step {training.GlobalStep}, loss {training.Loss:F4}, valid AUC {validation.MeanAuc:F4} ({tasks}), {training.SamplesPerSecond:N0} rows/s, {training.Elapsed:hh\\:mm\\:ss}"));
        }
    }
}
