using STEM.Recommenders.EncodedData;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using STEM.Recommenders.Data;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// Trains a multi-task model: composes the model (architecture) with a loss weighting and the
/// optimizer, runs seeded epochs over the training split, evaluates on the validation split,
/// reduces the learning rate and stops early on the monitored metric, keeps the best weights and
/// writes resumable checkpoints. The test split is never seen here.
/// </summary>
public sealed partial class Trainer
{
    private readonly TrainerOptions _options;
    private readonly Func<ILossWeighting> _weighting;
    private readonly ILogger _logger;

    /// <summary>Creates a trainer.</summary>
    /// <param name="options">Loop settings; validated here.</param>
    /// <param name="weighting">Creates the loss weighting for a run; equal fixed weights by default.</param>
    /// <param name="logger">Receives one line per evaluation.</param>
    public Trainer(TrainerOptions? options = null, Func<ILossWeighting>? weighting = null, ILogger<Trainer>? logger = null)
    {
        _options = options ?? new TrainerOptions();
        _options.Validate();
        _weighting = weighting ?? (() => new FixedWeighting());
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    private Trainer(TrainerOptions options, Func<ILossWeighting> weighting, ILogger logger)
    {
        _options = options;
        _options.Validate();
        _weighting = weighting;
        _logger = logger;
    }

    /// <summary>The settings.</summary>
    public TrainerOptions Options => _options;

    /// <summary>
    /// Trains on a dedicated thread and completes when training ends. The loop itself is compute
    /// bound; this keeps a UI or host responsive.
    /// </summary>
    public Task<TrainingResult> FitAsync(IMultiTaskModel model, IBatchSource train, IBatchSource validation, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Fit(model, train, validation, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Trains on the calling thread. A <see cref="ITaskSeparableModel"/> that
    /// <see cref="ITaskSeparableModel.TrainsTasksSeparately"/> is trained as one model per task (see
    /// <see cref="TrainingResult.PerTask"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The validation split is the test split, or the data does not fit the model.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the "last" checkpoint (if configured) lets the run resume.</exception>
    public TrainingResult Fit(IMultiTaskModel model, IBatchSource train, IBatchSource validation, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.Role == DatasetRole.Test || train.Role == DatasetRole.Test)
        {
            throw new ArgumentException(
                "The test split cannot be used for training or as the validation monitor: early stopping and the learning-rate schedule would be tuned on it. Pass the validation split.",
                nameof(validation));
        }

        CheckFits(model, train, nameof(train));
        CheckFits(model, validation, nameof(validation));
        var monitor = MonitorMetric.Parse(_options.Monitor, model.TaskNames);
        if (model is ITaskSeparableModel { TrainsTasksSeparately: true } separable)
        {
            return FitSeparately(separable, train, validation, progress, cancellationToken);
        }

        using var weighting = _weighting();
        weighting.Attach(model);
        using var optimizer = new MultiTaskOptimizer(model, _options.Optimizer, weighting.Parameters);
        using var generator = new Generator((ulong)_options.Seed);
        var run = new Run(this, model, train, validation, monitor, weighting, optimizer, generator, progress, cancellationToken);

        // Dropout draws from the global generator that Execute seeds: one run at a time (see GlobalRandom).
        lock (GlobalRandom.Gate)
        {
            // Before Execute seeds the global generator: the calibration's random inputs leave the run's draws as they were.
            // Precision first: the expert executions are then timed in the precision the run trains in.
            var precision = PrecisionSetup.Apply(model, _options.BatchSize);
            if (precision is not null)
            {
                LogPrecision(_logger, precision.Module, precision.Float32Ms, precision.BFloat16Ms, precision.Chosen);
            }

            var calibrations = ExpertPoolSetup.Apply(model, _options.ExpertExecution, _options.BatchSize);
            foreach (var c in calibrations)
            {
                LogCalibration(_logger, c.Pool, c.BatchedMs, c.SeparateMs, c.Chosen);
            }

            return run.Execute() with { ExpertCalibrations = calibrations, PrecisionCalibration = precision };
        }
    }

    /// <summary>
    /// One model per task: each task's network trains on that task's labels alone, with this
    /// trainer's options, the monitor applied to that task, and its own checkpoints under
    /// CheckpointDirectory/TASK (a resume looks for them beside <see cref="TrainerOptions.ResumeFrom"/>).
    /// </summary>
    private TrainingResult FitSeparately(ITaskSeparableModel model, IBatchSource train, IBatchSource validation, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var resumeRoot = _options.ResumeFrom is { } resume ? Path.GetDirectoryName(Path.GetFullPath(resume)) ?? "." : null;
        if (resumeRoot is not null && !model.TaskNames.Any(t => Directory.Exists(Path.Combine(resumeRoot, t, "last"))))
        {
            throw new ArgumentException(
                $"TrainerOptions.ResumeFrom '{_options.ResumeFrom}': a {model.ModelName} model trains one model per task, and none of {string.Join(", ", model.TaskNames.Select(t => Path.Combine(resumeRoot, t, "last")))} exists.");
        }

        var parts = new Dictionary<string, TrainingResult>();
        var history = new List<EvaluationRecord>();
        for (var t = 0; t < model.TaskNames.Count; t++)
        {
            var task = model.TaskNames[t];
            var taskResume = resumeRoot is null ? null : Path.Combine(resumeRoot, task, "last");
            var options = _options with
            {
                Monitor = MonitorMetric.ForTask(_options.Monitor, model.TaskNames, task),
                // A one-task model's best evaluation is already its task's.
                PerTaskSelection = false,
                CheckpointDirectory = _options.CheckpointDirectory is { } directory ? Path.Combine(directory, task) : null,
                // A task that had not started when the run stopped starts afresh.
                ResumeFrom = taskResume is not null && Directory.Exists(taskResume) ? taskResume : null,
            };
            var relay = progress is null ? null : new TaskProgress(progress, task);
            var part = new Trainer(options, _weighting, _logger).Fit(model.TaskModel(t), new TaskView(train, t), new TaskView(validation, t), relay, cancellationToken);
            parts[task] = part;
            history.AddRange(part.History);
        }

        var results = parts.Values;
        var trainingSeconds = results.Sum(r => r.SamplesPerSecond > 0 ? r.Samples / r.SamplesPerSecond : 0);
        return new TrainingResult
        {
            History = history,
            Best = null,
            PerTask = parts,
            StoppedEarly = results.All(r => r.StoppedEarly),
            ReachedMaxSteps = results.Any(r => r.ReachedMaxSteps),
            GlobalSteps = results.Sum(r => r.GlobalSteps),
            Samples = results.Sum(r => r.Samples),
            Elapsed = TimeSpan.FromTicks(results.Sum(r => r.Elapsed.Ticks)),
            SamplesPerSecond = trainingSeconds > 0 ? results.Sum(r => r.Samples) / trainingSeconds : 0,
        };
    }

    private sealed class TaskProgress(IProgress<TrainingProgress> inner, string task) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => inner.Report(value with { Task = task });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Expert pool {Pool}: batched {BatchedMs:F0} ms, separate {SeparateMs:F0} ms per forward and backward pass; training runs {Chosen}")]
    private static partial void LogCalibration(ILogger logger, string pool, double batchedMs, double separateMs, ExpertExecution chosen);

    [LoggerMessage(Level = LogLevel.Information, Message = "Precision Auto, timed on {Module}: float32 {Float32Ms:F0} ms, bfloat16 {BFloat16Ms:F0} ms per forward and backward pass; training runs {Chosen}")]
    private static partial void LogPrecision(ILogger logger, string module, double float32Ms, double bFloat16Ms, Precision chosen);

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch} step {Step}: validation {Monitor} = {Value:F5}{Best}; per-task AUC {Aucs}; lr {LearningRate:G3}")]
    private static partial void LogEvaluation(ILogger logger, int epoch, long step, string monitor, double value, string best, string aucs, double learningRate);

    private static void CheckFits(IMultiTaskModel model, IBatchSource data, string name)
    {
        if (!data.TaskNames.SequenceEqual(model.TaskNames))
        {
            throw new ArgumentException($"The {name} split has tasks {string.Join(", ", data.TaskNames)}; the model predicts {string.Join(", ", model.TaskNames)}.", name);
        }

        if (data.Layout.DifferenceFrom(model.Layout, $"the {name} split", "the model") is { } difference)
        {
            throw new ArgumentException($"The {name} split was encoded with another feature layout than the model's: {difference}.", name);
        }

        if (data.RowCount == 0)
        {
            throw new ArgumentException($"The {name} split is empty.", name);
        }

        // The dense part's device: host-placed embedding tables stay on the host whatever it is.
        var device = model.DenseDevice();
        if (device.type != data.Device.type)
        {
            throw new ArgumentException($"The {name} split is on {data.Device} but the model is on {device}; move both to one device.", name);
        }
    }

    private sealed class Run(
        Trainer trainer,
        IMultiTaskModel model,
        IBatchSource train,
        IBatchSource validation,
        MonitorMetric monitor,
        ILossWeighting weighting,
        MultiTaskOptimizer optimizer,
        Generator generator,
        IProgress<TrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        private readonly TrainerOptions _o = trainer._options;
        private readonly List<EvaluationRecord> _history = new();
        private readonly MonitorMetric[]? _taskMonitors = trainer._options.PerTaskSelection
            ? model.TaskNames.Select(t => MonitorMetric.Parse(MonitorMetric.ForTask(trainer._options.Monitor, model.TaskNames, t), model.TaskNames)).ToArray()
            : null;
        private readonly double?[] _taskBestValues = new double?[model.TaskNames.Count];
        private readonly EvaluationRecord?[] _taskBestRecords = new EvaluationRecord?[model.TaskNames.Count];
        private readonly Dictionary<string, Tensor>?[] _taskWeights = new Dictionary<string, Tensor>?[model.TaskNames.Count];
        private readonly Stopwatch _clock = new();
        private TrainerState _state = new() { TaskNames = model.TaskNames };
        private Dictionary<string, Tensor>? _bestWeights;
        private EvaluationRecord? _best;
        private Tensor? _lossSum;
        private long _lossSteps;
        private Tensor? _evalLossSum;
        private long _evalLossSteps;
        private long _samplesThisRun;
        private long _stepsThisRun;
        private TimeSpan _evaluationTime;

        private int StepsPerEpoch => checked((int)((train.RowCount + _o.BatchSize - 1) / _o.BatchSize));

        public TrainingResult Execute()
        {
            Tensor? epochGeneratorState = null;
            var resuming = false;
            if (_o.ResumeFrom is { } resume)
            {
                RestoreBest(resume);
                (_state, epochGeneratorState) = TrainingCheckpoint.Restore(resume, model, optimizer, weighting);
                _state = _state with { TaskNames = model.TaskNames };
                resuming = true;
            }
            else
            {
                manual_seed(_o.Seed);
            }

            var reachedMax = false;
            model.TorchModule.train();
            _clock.Start();
            try
            {
                var tasks = model.TaskNames.Count;
                _lossSum = zeros(tasks, device: train.Device).DetachFromDisposeScope();
                _evalLossSum = zeros(tasks, device: train.Device).DetachFromDisposeScope();
                for (; _state.Epoch < _o.Epochs && !_state.Stopped; _state.Epoch++, _state.StepInEpoch = 0)
                {
                    // The epoch's order comes from the generator state at its start, so a resumed
                    // run regenerates it exactly and continues at the saved step.
                    if (resuming)
                    {
                        generator.set_state(epochGeneratorState!);
                        resuming = false;
                    }
                    else
                    {
                        epochGeneratorState?.Dispose();
                        epochGeneratorState = generator.get_state().DetachFromDisposeScope();
                    }

                    using var epoch = train.StartEpoch(_o.BatchSize, _o.Shuffle, generator);
                    for (; _state.StepInEpoch < StepsPerEpoch; _state.StepInEpoch++)
                    {
                        if (cancellationToken.IsCancellationRequested)
                        {
                            SaveLast(epochGeneratorState!);
                            cancellationToken.ThrowIfCancellationRequested();
                        }

                        if (_o.MaxSteps is { } max && _state.GlobalStep >= max)
                        {
                            reachedMax = true;
                            SaveLast(epochGeneratorState!);
                            return Result(reachedMax);
                        }

                        TrainStep(epoch);
                        if (_state.GlobalStep % _o.ProgressEverySteps == 0)
                        {
                            Report(null);
                        }

                        if (_o.EvaluateEverySteps is { } every && _state.GlobalStep % every == 0)
                        {
                            EvaluateAndSchedule();
                            if (_state.Stopped)
                            {
                                break;
                            }
                        }
                    }

                    if (_o.EvaluateEverySteps is null && !_state.Stopped)
                    {
                        EvaluateAndSchedule();
                    }
                }

                SaveLast(epochGeneratorState!);
                return Result(reachedMax);
            }
            finally
            {
                epochGeneratorState?.Dispose();
                _lossSum?.Dispose();
                _evalLossSum?.Dispose();
                if (_o.RestoreBestWeights && _bestWeights is not null && !reachedMax)
                {
                    ModuleWeights.Restore(model.TorchModule, _bestWeights);
                }

                ModuleWeights.Dispose(_bestWeights);
                foreach (var weights in _taskWeights.Distinct())
                {
                    ModuleWeights.Dispose(weights);
                }
            }
        }

        private void TrainStep(IBatchEpoch epoch)
        {
            using (var scope = NewDisposeScope())
            {
                var batch = epoch.GetBatch(_state.StepInEpoch);
                var losses = TrainingStep.Run(model, optimizer, weighting, batch);
                using (no_grad())
                {
                    _lossSum!.add_(losses.detach());
                    _evalLossSum!.add_(losses.detach());
                }

                _samplesThisRun += batch.Size;
            }

            _lossSteps++;
            _evalLossSteps++;
            _stepsThisRun++;
            _state.GlobalStep++;
        }

        private void EvaluateAndSchedule()
        {
            var started = _clock.Elapsed;
            var report = Evaluator.Evaluate(model, validation, _o.EvaluationBatchSize);
            model.TorchModule.train();
            _evaluationTime += _clock.Elapsed - started;
            var value = monitor.Value(report);
            var improved = monitor.Improves(value, _state.BestValue);
            var record = new EvaluationRecord(_state.Epoch + 1, _state.GlobalStep, MeanLosses(_evalLossSum!, _evalLossSteps), report, value, optimizer.LearningRate, improved);
            _evalLossSum!.fill_(Scalars.Zero);
            _evalLossSteps = 0;
            _history.Add(record);
            // With per-task selection the schedule follows the tasks: it waits while any task improves.
            var progressing = _taskMonitors is null ? improved : KeepTaskBests(report, record);
            if (improved)
            {
                _state.BestValue = value;
                _best = record;
                KeepBestWeights();
            }

            if (progressing)
            {
                _state.EvaluationsWithoutImprovement = 0;
            }
            else
            {
                _state.EvaluationsWithoutImprovement++;
                optimizer.LearningRate = Math.Max(optimizer.LearningRate * _o.LearningRateDecay, _o.MinLearningRate);
                if (_state.EvaluationsWithoutImprovement >= _o.Patience)
                {
                    _state.Stopped = true;
                }
            }

            if (trainer._logger.IsEnabled(LogLevel.Information))
            {
                var aucs = string.Join(", ", report.Tasks.Select(t => $"{t.Task} {t.Auc:F4}"));
                LogEvaluation(
                    trainer._logger,
                    record.Epoch,
                    record.GlobalStep,
                    monitor.Text,
                    value,
                    improved ? " (best)" : string.Empty,
                    aucs,
                    record.LearningRate);
            }

            Report(report, record.TrainLosses);
        }

        private void Report(EvaluationReport? validation, IReadOnlyDictionary<string, double>? evaluationLosses = null)
        {
            // After an evaluation, report the losses since the previous evaluation: the running sum may
            // just have been reset by a regular report on the same step.
            var losses = progress is null ? null : evaluationLosses ?? MeanLosses(_lossSum!, _lossSteps);
            if (validation is null)
            {
                _lossSum!.fill_(Scalars.Zero);
                _lossSteps = 0;
            }

            if (progress is null)
            {
                return;
            }

            var trainingTime = _clock.Elapsed - _evaluationTime;
            var rate = trainingTime.TotalSeconds > 0 ? _samplesThisRun / trainingTime.TotalSeconds : 0;
            var remainingSteps = ((long)_o.Epochs * StepsPerEpoch) - _state.GlobalStep;
            var perStep = _stepsThisRun > 0 ? trainingTime / _stepsThisRun : TimeSpan.Zero;
            progress.Report(new TrainingProgress
            {
                Epoch = Math.Min(_state.Epoch + 1, _o.Epochs),
                Epochs = _o.Epochs,
                Step = _state.StepInEpoch + (validation is null ? 1 : 0),
                StepsPerEpoch = StepsPerEpoch,
                GlobalStep = _state.GlobalStep,
                TaskLosses = losses!,
                SamplesPerSecond = rate,
                LearningRate = optimizer.LearningRate,
                Elapsed = _clock.Elapsed,
                EstimatedRemaining = perStep * Math.Max(0, remainingSteps),
                Validation = validation,
            });
        }

        private Dictionary<string, double> MeanLosses(Tensor sum, long steps)
        {
            using var scope = NewDisposeScope();
            using var count = ((double)Math.Max(1, steps)).ToScalar();
            var values = steps == 0 ? new double[model.TaskNames.Count] : sum.div(count).to(ScalarType.Float64).cpu().data<double>().ToArray();
            return model.TaskNames.Select((t, i) => (t, values[i])).ToDictionary(x => x.t, x => x.Item2);
        }

        /// <summary>Snapshots the weights once for every task whose own metric improved; whether any did.</summary>
        private bool KeepTaskBests(EvaluationReport report, EvaluationRecord record)
        {
            List<int>? improvedTasks = null;
            for (var t = 0; t < _taskMonitors!.Length; t++)
            {
                var value = _taskMonitors[t].Value(report);
                if (_taskMonitors[t].Improves(value, _taskBestValues[t]))
                {
                    (improvedTasks ??= new()).Add(t);
                    _taskBestValues[t] = value;
                    _taskBestRecords[t] = record;
                }
            }

            if (improvedTasks is null)
            {
                return false;
            }

            var snapshot = ModuleWeights.Snapshot(model.TorchModule, null);
            foreach (var t in improvedTasks)
            {
                var old = _taskWeights[t];
                _taskWeights[t] = snapshot;
                if (old is not null && !_taskWeights.Any(w => ReferenceEquals(w, old)))
                {
                    ModuleWeights.Dispose(old);
                }
            }

            return true;
        }

        /// <summary>The model that predicts each task from its best snapshot (copies of the model built through the catalog).</summary>
        private PerTaskSelectedModel? BuildPerTaskModel()
        {
            if (_taskMonitors is null || _taskWeights.Any(w => w is null))
            {
                return null;
            }

            var snapshots = _taskWeights.Distinct().ToList();
            var members = new List<IMultiTaskModel>();
            try
            {
                var device = model.DenseDevice();
                foreach (var snapshot in snapshots)
                {
                    var member = ModelCatalog.Create(model.ModelName, model.Layout, model.TaskNames, model.Options);
                    members.Add(member);
                    if (device.type != DeviceType.CPU)
                    {
                        member.TorchModule.to(device);
                    }

                    ModuleWeights.Restore(member.TorchModule, snapshot!);
                }

                return new PerTaskSelectedModel(members, _taskWeights.Select(w => snapshots.IndexOf(w)).ToArray());
            }
            catch
            {
                foreach (var member in members)
                {
                    member.Dispose();
                }

                throw;
            }
        }

        private void KeepBestWeights()
        {
            _bestWeights = ModuleWeights.Snapshot(model.TorchModule, _bestWeights);
            if (_o.CheckpointDirectory is { } directory)
            {
                TrainingCheckpoint.SaveModel(model, Path.Combine(directory, "best"));
            }
        }

        private void RestoreBest(string resumeDirectory)
        {
            var best = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(resumeDirectory)) ?? ".", "best", TrainingCheckpoint.ModelFile);
            if (!File.Exists(best))
            {
                return;
            }

            TrainingCheckpoint.LoadModel(model, Path.GetDirectoryName(best)!);
            KeepBestWeights();
        }


        private void SaveLast(Tensor epochGeneratorState)
        {
            if (_o.CheckpointDirectory is { } directory)
            {
                TrainingCheckpoint.Save(Path.Combine(directory, "last"), model, optimizer, weighting, epochGeneratorState, _state);
            }
        }

        private TrainingResult Result(bool reachedMax)
        {
            _clock.Stop();
            var trainingTime = _clock.Elapsed - _evaluationTime;
            return new TrainingResult
            {
                History = _history,
                Best = _best,
                StoppedEarly = _state.Stopped,
                ReachedMaxSteps = reachedMax,
                GlobalSteps = _state.GlobalStep,
                Samples = _samplesThisRun,
                PerTaskModel = BuildPerTaskModel(),
                TaskBest = _taskMonitors is null || _taskBestRecords.Any(r => r is null) ? null : model.TaskNames.Select((t, i) => (t, _taskBestRecords[i]!)).ToDictionary(x => x.t, x => x.Item2),
                Elapsed = _clock.Elapsed,
                SamplesPerSecond = trainingTime.TotalSeconds > 0 ? _samplesThisRun / trainingTime.TotalSeconds : 0,
            };
        }
    }
}
