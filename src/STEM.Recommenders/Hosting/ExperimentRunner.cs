using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Features;
using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Models;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Serving;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// Runs an <see cref="ExperimentConfig"/> end to end: loads and splits the data, fits the pipeline
/// on the training split, trains, evaluates validation and test once, and writes the artifact,
/// metrics.json and a Markdown report. The CLI, the DI registration and the samples share it.
/// </summary>
public sealed class ExperimentRunner
{
    /// <summary>Sub-directory of the output holding the artifact.</summary>
    public const string ModelDirectory = "model";

    private readonly ILoggerFactory _loggers;
    private readonly TableReaderRegistry _readers;

    /// <summary>Creates a runner.</summary>
    /// <param name="loggers">Logger factory for the trainer; none by default.</param>
    /// <param name="readers">File readers; CSV/TSV by default (add Parquet with STEM.Recommenders.Parquet).</param>
    public ExperimentRunner(ILoggerFactory? loggers = null, TableReaderRegistry? readers = null)
    {
        _loggers = loggers ?? NullLoggerFactory.Instance;
        _readers = readers ?? TableReaderRegistry.CreateDefault();
    }

    /// <summary>Loads and splits the configured data (raw tables, nothing fitted yet).</summary>
    public async Task<PresetSplits> LoadDataAsync(DataConfig data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Preset is null)
        {
            return await LoadCustomAsync(data, cancellationToken).ConfigureAwait(false);
        }

        return await DatasetPresets.Get(data.Preset).LoadAsync(data, _readers, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The streaming form of <see cref="LoadDataAsync"/> (for <see cref="DataConfig.Cache"/>): the
    /// files are read in chunks of <paramref name="chunkRows"/> rows.
    /// </summary>
    /// <exception cref="ArgumentException">The preset cannot stream; the message names <c>data.cache</c>.</exception>
    public async Task<StreamingSplits> StreamDataAsync(DataConfig data, int chunkRows = TableReadRequest.DefaultChunkRows, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Preset is null)
        {
            return await StreamCustomAsync(data, chunkRows, cancellationToken).ConfigureAwait(false);
        }

        var preset = DatasetPresets.Get(data.Preset);
        if (preset is not IStreamingDatasetPreset streaming)
        {
            var setting = nameof(DataConfig.Cache);
            throw new ArgumentException($"the '{preset.Name}' preset is read in memory only; streaming into a cache is supported by presets that implement IStreamingDatasetPreset (kuairand) and by custom data", setting);
        }

        return await streaming.StreamAsync(data, _readers, chunkRows, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the runtime the configuration asks for.</summary>
    public static Device StartRuntime(RuntimeConfig runtime)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        return TorchRuntime.Initialize(new TorchRuntimeOptions { Device = runtime.Device, Threads = runtime.Threads, LibTorchDirectory = runtime.LibTorchDirectory });
    }

    /// <summary>Trains one model and, when <paramref name="outputDirectory"/> is given, writes the artifact, metrics.json and report.md there.</summary>
    public async Task<ExperimentRunResult> TrainAsync(ExperimentConfig config, string? outputDirectory = null, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ExperimentConfigLoader.Validate(config);
        var (device, data) = await PrepareAsync(config, cancellationToken).ConfigureAwait(false);
        using var _ = data;
        var name = ModelCatalog.NameOf(config.Model);
        var training = outputDirectory is null ? config.Training : config.Training with { CheckpointDirectory = config.Training.CheckpointDirectory ?? Path.Combine(outputDirectory, "checkpoints") };
        var (report, model) = await Task.Factory.StartNew(
            () => RunOne(config with { Training = training }, name, config.Model, config.Training.Seed, data, device, 1, 1, progress, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
        var artifact = ModelArtifact.Create(model, data.Pipeline, MetricsOf(report));
        if (outputDirectory is not null)
        {
            Directory.CreateDirectory(outputDirectory);
            await artifact.SaveAsync(Path.Combine(outputDirectory, ModelDirectory), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "metrics.json"), ReportJson.Serialize(report), cancellationToken).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(outputDirectory, "report.md"), new ComparisonReport([report]).ToMarkdown(), cancellationToken).ConfigureAwait(false);
        }

        return new ExperimentRunResult(report, artifact, outputDirectory);
    }

    /// <summary>
    /// Trains several models × seeds on one split and aggregates test metrics (mean ± std). Models
    /// other than the configured one use their default options. When "single-task" is among the
    /// models, a negative-transfer analysis of every task pair is added. With an output directory,
    /// comparison.json and comparison.md are rewritten after every run, so an interrupted comparison
    /// keeps the runs it finished.
    /// </summary>
    public async Task<ComparisonReport> CompareAsync(ExperimentConfig config, IReadOnlyList<string> models, int seeds, string? outputDirectory = null, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(seeds, 1);
        ExperimentConfigLoader.Validate(config);
        var names = models.Select(ModelCatalog.Resolve).Distinct().ToArray();
        if (names.Length == 0)
        {
            throw new ArgumentException("Name at least one model.", nameof(models));
        }

        var (device, data) = await PrepareAsync(config, cancellationToken).ConfigureAwait(false);
        using var _ = data;
        var configured = ModelCatalog.NameOf(config.Model);
        return await Task.Factory.StartNew(
            () =>
            {
                var runs = new List<ModelRunReport>();
                var predictions = new Dictionary<string, float[]>();
                var index = 0;
                foreach (var name in names)
                {
                    var options = name == configured ? config.Model : ModelCatalog.DefaultOptions(name) with { Precision = config.Model.Precision };
                    for (var s = 0; s < seeds; s++)
                    {
                        var seed = config.Training.Seed + s;
                        var (report, model) = RunOne(config, name, options, seed, data, device, ++index, names.Length * seeds, progress, cancellationToken);
                        using (model)
                        {
                            runs.Add(report);
                            if (s == 0)
                            {
                                predictions[name] = Evaluator.Predict(model, data.Test, config.Training.EvaluationBatchSize);
                            }
                        }

                        // Written after every run, so that an interrupted comparison keeps what it finished.
                        Write(new ComparisonReport(runs), outputDirectory);
                    }
                }

                var comparison = new ComparisonReport(runs, AnalyzeTransfer(data, predictions, predictions.ContainsKey(SingleTask.Name) ? SingleTask.Name : null));
                Write(comparison, outputDirectory);
                return comparison;
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).ConfigureAwait(false);
    }

    /// <summary>
    /// Starts the runtime, then loads, splits and encodes the data: in memory (on the device when
    /// resident), or — with <see cref="DataConfig.Cache"/> — streamed into (or reused from) the on-disk cache.
    /// </summary>
    private async Task<(Device Device, PreparedData Data)> PrepareAsync(ExperimentConfig config, CancellationToken cancellationToken)
    {
        var device = StartRuntime(config.Runtime);
        if (config.Data.Cache is { } cache)
        {
            var rows = config.Data.CacheChunkRows ?? TableReadRequest.DefaultChunkRows;
            var streaming = await StreamDataAsync(config.Data, rows, cancellationToken).ConfigureAwait(false);
            var cached = await streaming.BuildCacheAsync(cache, rows, null, cancellationToken).ConfigureAwait(false);
            return (device, new PreparedData(cached.Pipeline, cached.Train.On(device), cached.Validation.On(device), cached.Test.On(device), null, cached));
        }

        var splits = await LoadDataAsync(config.Data, cancellationToken).ConfigureAwait(false);
        var encoded = splits.Encode(config.Data.Resident ? device : null);
        return (device, new PreparedData(encoded.Pipeline, encoded.Train, encoded.Validation, encoded.Test, encoded, encoded));
    }

    /// <summary>
    /// Prepares the data once for many runs (<see cref="ExperimentTuner"/>, <see cref="VariantComparer"/>);
    /// the caller disposes it after the last <see cref="RunPrepared"/>.
    /// </summary>
    internal Task<(Device Device, PreparedData Data)> PrepareForRunsAsync(ExperimentConfig config, CancellationToken cancellationToken) =>
        PrepareAsync(config, cancellationToken);

    /// <summary>
    /// Trains the configuration's model on data prepared by <see cref="PrepareForRunsAsync"/> and
    /// disposes it. Without <paramref name="evaluateTest"/> the test split is not touched (a tuning
    /// trial): the report's <see cref="ModelRunReport.Test"/> is then empty and it has no gate diagnostics.
    /// With <paramref name="predictTest"/> it also returns the model's test predictions (row-major,
    /// one column per task), for a negative-transfer analysis.
    /// </summary>
    internal (ModelRunReport Report, float[]? TestPredictions) RunPrepared(ExperimentConfig config, string label, long seed, PreparedData data, Device device, int run, int runs, bool evaluateTest, bool predictTest, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var name = ModelCatalog.NameOf(config.Model);
        var (report, model) = RunOne(config, name, config.Model, seed, data, device, run, runs, progress, cancellationToken, label, evaluateTest);
        using (model)
        {
            var predictions = predictTest ? Evaluator.Predict(model, data.Test, config.Training.EvaluationBatchSize) : null;
            return (label == name ? report : report with { Variant = label }, predictions);
        }
    }

    /// <summary>
    /// The negative-transfer analysis of every task pair against <paramref name="baseline"/>'s
    /// predictions, or null when there is no baseline or the splits are not in memory (the analysis
    /// reads whole columns of group ids).
    /// </summary>
    internal static IReadOnlyList<NegativeTransferReport>? AnalyzeTransfer(PreparedData data, IReadOnlyDictionary<string, float[]> predictions, string? baseline)
    {
        if (baseline is null || !predictions.ContainsKey(baseline) || data.InMemory is not { Test.GroupIds: not null } memory)
        {
            return null;
        }

        var analyses = new List<NegativeTransferReport>();
        var tasks = data.Pipeline.TaskNames;
        for (var a = 0; a < tasks.Count; a++)
        {
            for (var b = a + 1; b < tasks.Count; b++)
            {
                analyses.Add(NegativeTransferReport.Analyze(memory.Train, memory.Test, tasks[a], tasks[b], predictions, baseline));
            }
        }

        return analyses;
    }

    /// <summary>Encoded splits as the runner uses them; <see cref="InMemory"/> is set when they are held in memory.</summary>
    internal sealed record PreparedData(FeaturePipeline Pipeline, IBatchSource Train, IBatchSource Validation, IBatchSource Test, EncodedSplits? InMemory, IDisposable Owner) : IDisposable
    {
        public void Dispose() => Owner.Dispose();
    }

    private async Task<StreamingSplits> StreamCustomAsync(DataConfig data, int chunkRows, CancellationToken cancellationToken)
    {
        var schema = data.Schema!;
        var columns = schema.RequiredColumns();
        var joins = await ReadJoinsAsync(data, cancellationToken).ConfigureAwait(false);
        var files = new[] { data.Train!, data.Validation!, data.Test! };
        async IAsyncEnumerable<SplitChunk> Read([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct)
        {
            for (var split = 0; split < files.Length; split++)
            {
                await foreach (var chunk in _readers.ReadChunksAsync(files[split], null, chunkRows, ct).WithCancellation(ct).ConfigureAwait(false))
                {
                    var table = JoinAndCheck(chunk, joins, columns);
                    var none = table.Select([]);
                    yield return split switch
                    {
                        0 => new SplitChunk(table, none, none),
                        1 => new SplitChunk(none, table, none),
                        _ => new SplitChunk(none, none, table),
                    };
                }
            }
        }

        var sources = files.Concat((data.Joins ?? []).Select(j => j.Path)).Select(Path.GetFullPath).Distinct().ToArray();
        return new StreamingSplits("custom", schema, sources, Read);
    }

    /// <summary>comparison.json and comparison.md of a comparison (also written by <see cref="VariantComparer"/>).</summary>
    internal static void Write(ComparisonReport comparison, string? outputDirectory)
    {
        if (outputDirectory is null)
        {
            return;
        }

        Directory.CreateDirectory(outputDirectory);
        File.WriteAllText(Path.Combine(outputDirectory, "comparison.json"), ReportJson.Serialize(comparison));
        File.WriteAllText(Path.Combine(outputDirectory, "comparison.md"), comparison.ToMarkdown());
    }

    private (ModelRunReport Report, IMultiTaskModel Model) RunOne(ExperimentConfig config, string name, ModelOptions options, long seed, PreparedData data, Device device, int run, int runs, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken, string? label = null, bool evaluateTest = true)
    {
        // The initial weights come from the global generator: seed and build under the lock that
        // Trainer.Fit takes too, so that a concurrent run cannot draw in between (see GlobalRandom).
        lock (GlobalRandom.Gate)
        {
            return RunOneSeeded(config, name, options, seed, data, device, run, runs, label ?? name, evaluateTest, progress, cancellationToken);
        }
    }

    private (ModelRunReport Report, IMultiTaskModel Model) RunOneSeeded(ExperimentConfig config, string name, ModelOptions options, long seed, PreparedData data, Device device, int run, int runs, string label, bool evaluateTest, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        manual_seed(seed);
        var model = ModelCatalog.Create(name, data.Pipeline.Layout, data.Pipeline.TaskNames, options);
        try
        {
            // Before the move, so that host-placed tables are never copied to the device.
            model.PlaceTables(config.Runtime.TablePlacement);
            if (device.type != DeviceType.CPU)
            {
                model.TorchModule.to(device);
            }

            var weighting = config.Weighting;
            var trainer = new Trainer(
                config.Training with { Seed = seed, CheckpointDirectory = config.Training.CheckpointDirectory is { } c && runs > 1 ? Path.Combine(c, $"{label}-{seed}") : config.Training.CheckpointDirectory },
                () => LossWeightings.Create(weighting),
                _loggers.CreateLogger<Trainer>());
            var result = trainer.Fit(model, data.Train, data.Validation, progress is null ? null : new Relay(progress, label, seed, run, runs), cancellationToken);
            // The gates are diagnosed on the trained model (the per-task one merges members' outputs).
            var gates = model.ExpertOwners is null || !evaluateTest ? null : GateDiagnostics.Compute(model, data.Test, config.Training.EvaluationBatchSize);
            var parameters = model.TorchModule.parameters().Sum(p => p.numel());
            if (result.PerTaskModel is { } selected)
            {
                // Per-task selection: each task is predicted, tested and served from its own best evaluation.
                model.Dispose();
                model = selected;
            }

            var validation = result.PerTaskModel is null && result.Best is { } best ? best.Validation : Evaluator.Evaluate(model, data.Validation, config.Training.EvaluationBatchSize);
            var calibration = new ReliabilityAccumulator(model.TaskNames);
            var test = evaluateTest ? Evaluator.Evaluate(model, data.Test, config.Training.EvaluationBatchSize, calibration) : new EvaluationReport([]);
            var report = new ModelRunReport
            {
                Model = name,
                Seed = seed,
                Tasks = model.TaskNames,
                Validation = validation,
                Test = test,
                BestEpoch = result.Best?.Epoch ?? result.PerTask?.Values.Max(r => r.Best?.Epoch ?? 0) ?? 0,
                TaskBestEpochs = result.PerTask?.ToDictionary(p => p.Key, p => p.Value.Best?.Epoch ?? 0)
                    ?? result.TaskBest?.ToDictionary(p => p.Key, p => p.Value.Epoch),
                Steps = result.GlobalSteps,
                SamplesPerSecond = result.SamplesPerSecond,
                ExpertExecution = ExpertExecutionSummary.Of(model, result),
                Precision = PrecisionSummary.Of(model, result),
                TrainingTime = result.Elapsed,
                Parameters = parameters,
                Gates = gates,
                History = TrainingHistory.Of(result),
                Calibration = evaluateTest ? calibration.Compute() : [],
            };
            return (report, model);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private async Task<PresetSplits> LoadCustomAsync(DataConfig data, CancellationToken cancellationToken)
    {
        var schema = data.Schema!;
        var columns = schema.RequiredColumns();
        var tables = await Task.WhenAll(new[] { data.Train!, data.Validation!, data.Test! }.Select(path => _readers.ReadAsync(path, null, cancellationToken))).ConfigureAwait(false);

        // Each side table is read and indexed once, then joined onto all three splits.
        var joins = await ReadJoinsAsync(data, cancellationToken).ConfigureAwait(false);
        return new PresetSplits("custom", schema, JoinAndCheck(tables[0], joins, columns), JoinAndCheck(tables[1], joins, columns), JoinAndCheck(tables[2], joins, columns));
    }

    /// <summary>The custom data's side tables, each read and indexed by its key once.</summary>
    private async Task<List<(TableIndex Side, string Key)>> ReadJoinsAsync(DataConfig data, CancellationToken cancellationToken)
    {
        var joins = new List<(TableIndex Side, string Key)>();
        foreach (var join in data.Joins ?? [])
        {
            var side = await _readers.ReadAsync(join.Path, null, cancellationToken).ConfigureAwait(false);
            joins.Add((side.IndexBy(join.SideKey ?? join.Key), join.Key));
        }

        return joins;
    }

    /// <summary>Left-joins the side tables in order, then checks that every column the schema reads is there.</summary>
    private static DataTable JoinAndCheck(DataTable table, List<(TableIndex Side, string Key)> joins, IEnumerable<string> columns)
    {
        foreach (var (side, key) in joins)
        {
            table = table.LeftJoin(side, key);
        }

        foreach (var column in columns)
        {
            _ = table.Column(column);
        }

        return table;
    }

    private static Dictionary<string, double> MetricsOf(ModelRunReport report)
    {
        var metrics = new Dictionary<string, double>();
        foreach (var (split, evaluation) in new[] { ("validation", report.Validation), ("test", report.Test) })
        {
            foreach (var task in evaluation.Tasks)
            {
                metrics[$"{split}/{task.Task}/auc"] = task.Auc;
                metrics[$"{split}/{task.Task}/gauc"] = task.GAuc;
                metrics[$"{split}/{task.Task}/logloss"] = task.LogLoss;
            }

            metrics[$"{split}/mean_auc"] = evaluation.MeanAuc;
        }

        return metrics;
    }

    private sealed class Relay(IProgress<ExperimentProgress> inner, string model, long seed, int run, int runs) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => inner.Report(new ExperimentProgress(model, seed, run, runs, value));
    }
}
