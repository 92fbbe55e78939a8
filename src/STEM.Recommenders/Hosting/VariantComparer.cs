using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Models;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// Compares named configurations — models, ablation variants (<see cref="ExperimentVariants"/>),
/// tuned winners (<see cref="TunedExperiments"/>) — over several seeds, each tested once per seed,
/// as rows of one <see cref="ComparisonReport"/> under their names. Configurations that share their
/// data section share one load and encoding.
/// </summary>
public sealed class VariantComparer
{
    private readonly ExperimentRunner _runner;

    /// <summary>Creates a comparer.</summary>
    /// <param name="runner">Runs the trainings; a default runner (CSV/TSV readers) when not given.</param>
    public VariantComparer(ExperimentRunner? runner = null) => _runner = runner ?? new ExperimentRunner();

    /// <summary>
    /// Trains every configuration with seeds <c>training.seed</c>, +1, ... and evaluates validation
    /// and test once per run. With an output directory, comparison.json and comparison.md are
    /// rewritten after every run.
    /// </summary>
    /// <exception cref="ArgumentException">No configuration, a repeated name, or fewer than one seed.</exception>
    public async Task<ComparisonReport> CompareAsync(IReadOnlyList<NamedExperiment> experiments, int seeds, string? outputDirectory = null, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(experiments);
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 1);
        if (experiments.Count == 0)
        {
            throw new ArgumentException("Name at least one configuration.", nameof(experiments));
        }

        if (experiments.GroupBy(e => e.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } repeated)
        {
            throw new ArgumentException($"'{repeated.Key}' names two configurations.", nameof(experiments));
        }

        foreach (var experiment in experiments)
        {
            ExperimentConfigLoader.Validate(experiment.Config, experiment.Name);
        }

        return await Task.Factory.StartNew(
            () => Run(experiments, seeds, outputDirectory, progress, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap().ConfigureAwait(false);
    }

    private async Task<ComparisonReport> Run(IReadOnlyList<NamedExperiment> experiments, int seeds, string? outputDirectory, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var runs = new List<ModelRunReport>();
        var keys = experiments.Select(e => ExperimentOverrides.ToJson(e.Config)["data"]!.ToJsonString()).ToArray();
        // The negative-transfer analysis compares every row's predictions on one test split with a
        // single-task baseline's: the first configuration whose model is single-task, whatever its
        // name (a tuned winner's row is named after its directory). It needs one shared data section.
        var baseline = keys.Distinct().Count() == 1 ? experiments.FirstOrDefault(e => ModelCatalog.NameOf(e.Config.Model) == SingleTask.Name)?.Name : null;
        var predictions = new Dictionary<string, float[]>();
        string? dataKey = null;
        (TorchSharp.torch.Device Device, ExperimentRunner.PreparedData Data)? prepared = null;
        var index = 0;
        try
        {
            for (var e = 0; e < experiments.Count; e++)
            {
                var experiment = experiments[e];
                if (prepared is null || keys[e] != dataKey)
                {
                    prepared?.Data.Dispose();
                    prepared = null;
                    prepared = await _runner.PrepareForRunsAsync(experiment.Config, cancellationToken).ConfigureAwait(false);
                    dataKey = keys[e];
                }

                var (device, data) = prepared.Value;
                // The first seed's predictions, as ExperimentRunner.CompareAsync keeps them.
                var predict = baseline is not null && data.InMemory is { Test.GroupIds: not null };
                for (var s = 0; s < seeds; s++)
                {
                    var seed = experiment.Config.Training.Seed + s;
                    var (report, test) = _runner.RunPrepared(experiment.Config, experiment.Name, seed, data, device, ++index, experiments.Count * seeds, evaluateTest: true, predictTest: predict && s == 0, progress, cancellationToken);
                    runs.Add(report);
                    if (test is not null)
                    {
                        predictions[experiment.Name] = test;
                    }

                    ExperimentRunner.Write(new ComparisonReport(runs), outputDirectory);
                }
            }

            var comparison = new ComparisonReport(runs, prepared is { } last ? ExperimentRunner.AnalyzeTransfer(last.Data, predictions, baseline) : null);
            ExperimentRunner.Write(comparison, outputDirectory);
            return comparison;
        }
        finally
        {
            prepared?.Data.Dispose();
        }
    }
}
