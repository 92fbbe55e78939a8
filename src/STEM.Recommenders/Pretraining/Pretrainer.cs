using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// CLUE's contrastive pretraining: for each batch of training users, both views go through the
/// same <see cref="ClueEncoder"/>, and <see cref="ContrastiveLoss"/> pulls each user's two vectors
/// together and pushes the other users' apart. Held-out users (split by a stable hash of the key,
/// never seen in training) are evaluated at a fixed batch size; the lowest held-out loss chooses
/// the weights and stops the run early. Checkpoints resume exactly, as <see cref="Trainer"/>'s do.
/// </summary>
public sealed partial class Pretrainer
{
    internal const string EncoderFile = "encoder.bin";
    internal const string LossFile = "loss.bin";
    internal const string OptimizerFile = "optimizer.bin";
    internal const string StateFile = "pretrainer.json";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };
    private readonly PretrainingOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a pretrainer.</summary>
    /// <param name="options">Loop settings; validated here.</param>
    /// <param name="logger">Receives one line per evaluation.</param>
    public Pretrainer(PretrainingOptions? options = null, ILogger<Pretrainer>? logger = null)
    {
        _options = options ?? new PretrainingOptions();
        _options.Validate();
        _logger = logger ?? (ILogger)NullLogger.Instance;
    }

    /// <summary>The settings.</summary>
    public PretrainingOptions Options => _options;

    /// <summary>Trains on a dedicated thread (the loop is compute bound).</summary>
    public Task<PretrainingResult> FitAsync(ClueEncoder encoder, ContrastiveLoss loss, UserPairSet train, UserPairSet validation, IProgress<PretrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Task.Factory.StartNew(() => Fit(encoder, loss, train, validation, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Trains on the calling thread.</summary>
    /// <exception cref="ArgumentException">A split has fewer users than a batch, or the splits do not fit the encoder.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the "last" checkpoint (if configured) lets the run resume.</exception>
    public PretrainingResult Fit(ClueEncoder encoder, ContrastiveLoss loss, UserPairSet train, UserPairSet validation, IProgress<PretrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        if (train.Count < _options.BatchSize)
        {
            throw new ArgumentException($"PretrainingOptions.BatchSize ({_options.BatchSize}) is larger than the {train.Count} training users; lower it or add users.", nameof(train));
        }

        if (validation.Count < _options.EvaluationBatchSize)
        {
            throw new ArgumentException($"PretrainingOptions.EvaluationBatchSize ({_options.EvaluationBatchSize}) is larger than the {validation.Count} held-out users; lower it or hold out more users.", nameof(validation));
        }

        var parameters = encoder.parameters().Concat(loss.parameters()).Where(p => p.requires_grad).ToArray();
        using var adam = new DenseAdam(parameters);
        using var generator = new Generator((ulong)_options.Seed);
        return new Run(this, encoder, loss, train, validation, parameters, adam, generator, progress, cancellationToken).Execute();
    }

    /// <summary>
    /// Held-out InfoNCE and retrieval accuracy at a fixed batch size, over consecutive whole batches
    /// of <paramref name="data"/> in its order (a remainder smaller than a batch is left out, so
    /// that every loss is measured against the same number of negatives).
    /// </summary>
    /// <exception cref="ArgumentException">Fewer users than one batch.</exception>
    public static PretextMetrics Evaluate(ClueEncoder encoder, ContrastiveLoss loss, UserPairSet data, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 2 || data.Count < batchSize)
        {
            throw new ArgumentException($"An evaluation batch of {batchSize} needs at least that many users (and at least 2); the split has {data.Count}.", nameof(batchSize));
        }

        var wasTraining = encoder.training;
        encoder.eval();
        loss.eval();
        try
        {
            using var _ = no_grad();
            var batches = data.Count / batchSize;
            double lossSum = 0, top1 = 0, top10 = 0;
            for (var b = 0; b < batches; b++)
            {
                using var scope = NewDisposeScope();
                var rows = arange((long)b * batchSize, (long)(b + 1) * batchSize, dtype: ScalarType.Int64);
                var pair = data.Take(rows);
                var (za, zb) = EncodeBoth(encoder, pair);
                lossSum += loss.forward(za, zb).item<float>();
                var (t1, t10) = ContrastiveLoss.RetrievalAccuracy(za, zb, 10);
                top1 += t1;
                top10 += t10;
            }

            return new PretextMetrics(lossSum / batches, top1 / batches, top10 / batches, batches * batchSize, batchSize);
        }
        finally
        {
            if (wasTraining)
            {
                encoder.train();
                loss.train();
            }
        }
    }

    /// <summary>Both views of a batch through the encoder in one call (one forward of 2B users).</summary>
    private static (Tensor A, Tensor B) EncodeBoth(ClueEncoder encoder, UserPairBatch pair)
    {
        var both = new UserSequenceBatch(cat([pair.A.Tokens, pair.B.Tokens], 0), cat([pair.A.ItemMask, pair.B.ItemMask], 0)).TrimPadding();
        var z = encoder.forward(both);
        var n = pair.Size;
        return (z.narrow(0, 0, n), z.narrow(0, n, n));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Epoch {Epoch} step {Step}: held-out InfoNCE {Loss:F4} (chance {Chance:F4}), top-1 {Top1:P1}, top-10 {Top10:P1}{Best}; temperature {Temperature:F4}")]
    private static partial void LogEvaluation(ILogger logger, int epoch, long step, double loss, double chance, double top1, double top10, string best, double temperature);

    private sealed class Run(
        Pretrainer owner,
        ClueEncoder encoder,
        ContrastiveLoss loss,
        UserPairSet train,
        UserPairSet validation,
        Parameter[] parameters,
        DenseAdam adam,
        Generator generator,
        IProgress<PretrainingProgress>? progress,
        CancellationToken cancellationToken)
    {
        private readonly PretrainingOptions _o = owner._options;
        private readonly List<PretrainingEvaluation> _history = new();
        private readonly Stopwatch _clock = new();
        private PretrainerState _state = new();
        private Dictionary<string, Tensor>? _bestEncoder;
        private Dictionary<string, Tensor>? _bestLoss;
        private PretrainingEvaluation? _best;
        private Tensor? _counts; // [loss sum since report, loss sum since evaluation, items, tokens]
        private long _reportSteps;
        private long _evaluationSteps;
        private long _stepsThisRun;
        private TimeSpan _evaluationTime;

        private int StepsPerEpoch => train.Count / _o.BatchSize;

        public PretrainingResult Execute()
        {
            Tensor? epochGeneratorState = null;
            var resuming = false;
            if (_o.ResumeFrom is { } resume)
            {
                epochGeneratorState = Restore(resume);
                resuming = true;
            }
            else
            {
                manual_seed(_o.Seed);
            }

            var reachedMax = false;
            encoder.train();
            loss.train();
            _clock.Start();
            _counts = zeros(4, dtype: ScalarType.Float64).DetachFromDisposeScope();
            try
            {
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

                    using var order = randperm(train.Count, generator: generator, dtype: ScalarType.Int64);
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

                        Step(order);
                        if (_state.GlobalStep % _o.ProgressEverySteps == 0)
                        {
                            Report(null);
                        }

                        if (_o.EvaluateEverySteps is { } every && _state.GlobalStep % every == 0)
                        {
                            EvaluateAndStop();
                            if (_state.Stopped)
                            {
                                break;
                            }
                        }
                    }

                    if (_o.EvaluateEverySteps is null && !_state.Stopped)
                    {
                        EvaluateAndStop();
                    }
                }

                SaveLast(epochGeneratorState!);
                return Result(reachedMax);
            }
            finally
            {
                epochGeneratorState?.Dispose();
                // A run cut by MaxSteps keeps its last weights, so that resuming continues from them.
                if (_o.RestoreBestWeights && _bestEncoder is not null && !reachedMax)
                {
                    ModuleWeights.Restore(encoder, _bestEncoder);
                    ModuleWeights.Restore(loss, _bestLoss!);
                }

                ModuleWeights.Dispose(_bestEncoder);
                ModuleWeights.Dispose(_bestLoss);

                _counts?.Dispose();
            }
        }

        private void Step(Tensor order)
        {
            using (var scope = NewDisposeScope())
            {
                var rows = order.narrow(0, (long)_state.StepInEpoch * _o.BatchSize, _o.BatchSize);
                var pair = train.Take(rows);
                var (za, zb) = EncodeBoth(encoder, pair);
                var value = loss.forward(za, zb);
                value.backward();
                if (_o.GradientClipNorm is { } clip)
                {
                    nn.utils.clip_grad_norm_(parameters, clip);
                }

                adam.Step(_o.LearningRate, parameters.Select(p => p.grad).ToArray());
                foreach (var p in parameters)
                {
                    p.grad?.fill_(Scalars.Zero);
                }

                using (no_grad())
                {
                    var items = pair.A.ItemMask.sum().add(pair.B.ItemMask.sum()).to(ScalarType.Float64);
                    var tokens = pair.A.Tokens.ne(Scalars.Zero).sum().add(pair.B.Tokens.ne(Scalars.Zero).sum()).to(ScalarType.Float64);
                    var l = value.detach().to(ScalarType.Float64);
                    _counts!.add_(stack([l, l, items, tokens]));
                }
            }

            _reportSteps++;
            _evaluationSteps++;
            _stepsThisRun++;
            _state.GlobalStep++;
        }

        private double[] Counts()
        {
            using var scope = NewDisposeScope();
            return _counts!.data<double>().ToArray();
        }

        /// <summary>Zeroes one running sum; the view is disposed with its scope (a bare narrow would leak a tensor per call).</summary>
        private void ResetCount(long index)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            _counts!.narrow(0, index, 1).fill_(Scalars.Zero);
        }

        private void EvaluateAndStop()
        {
            var started = _clock.Elapsed;
            var metrics = Evaluate(encoder, loss, validation, _o.EvaluationBatchSize);
            _evaluationTime += _clock.Elapsed - started;
            var counts = Counts();
            var trainLoss = _evaluationSteps == 0 ? double.NaN : counts[1] / _evaluationSteps;
            ResetCount(1);

            _evaluationSteps = 0;
            var improved = _state.BestLoss is not { } best || metrics.Loss < best;
            var record = new PretrainingEvaluation(_state.Epoch + 1, _state.GlobalStep, trainLoss, metrics, loss.Temperature, improved);
            _history.Add(record);
            if (improved)
            {
                _state.BestLoss = metrics.Loss;
                _state.EvaluationsWithoutImprovement = 0;
                _best = record;
                KeepBest();
            }
            else if (++_state.EvaluationsWithoutImprovement >= _o.Patience)
            {
                _state.Stopped = true;
            }

            if (owner._logger.IsEnabled(LogLevel.Information))
            {
                LogEvaluation(owner._logger, record.Epoch, record.GlobalStep, metrics.Loss, metrics.ChanceLoss, metrics.Top1, metrics.Top10, improved ? " (best)" : string.Empty, record.Temperature);
            }

            Report(metrics);
        }

        private void Report(PretextMetrics? metrics)
        {
            if (progress is null)
            {
                return;
            }

            var counts = Counts();
            var mean = _reportSteps == 0 ? double.NaN : counts[0] / _reportSteps;
            ResetCount(0);

            _reportSteps = 0;
            var trainingTime = (_clock.Elapsed - _evaluationTime).TotalSeconds;
            progress.Report(new PretrainingProgress
            {
                Epoch = Math.Min(_state.Epoch + 1, _o.Epochs),
                Epochs = _o.Epochs,
                GlobalStep = _state.GlobalStep,
                StepsPerEpoch = StepsPerEpoch,
                TrainLoss = mean,
                Temperature = loss.Temperature,
                PairsPerSecond = trainingTime > 0 ? _stepsThisRun * (double)_o.BatchSize / trainingTime : 0,
                Elapsed = _clock.Elapsed,
                Validation = metrics,
            });
        }

        private void KeepBest()
        {
            _bestEncoder = ModuleWeights.Snapshot(encoder, _bestEncoder);
            _bestLoss = ModuleWeights.Snapshot(loss, _bestLoss);
            if (_o.CheckpointDirectory is { } directory)
            {
                var best = Path.Combine(directory, "best");
                Directory.CreateDirectory(best);
                encoder.save(Path.Combine(best, EncoderFile));
                loss.save(Path.Combine(best, LossFile));
            }
        }


        private void SaveLast(Tensor epochGeneratorState)
        {
            if (_o.CheckpointDirectory is not { } directory)
            {
                return;
            }

            TrainingCheckpoint.WriteAtomically(Path.Combine(directory, "last"), temporary =>
            {
                encoder.save(Path.Combine(temporary, EncoderFile));
                loss.save(Path.Combine(temporary, LossFile));
                using (var writer = new BinaryWriter(File.Create(Path.Combine(temporary, OptimizerFile))))
                {
                    adam.Save(writer);
                    epochGeneratorState.Save(writer);
                    using var rng = get_rng_state();
                    rng.Save(writer);
                }

                File.WriteAllText(Path.Combine(temporary, StateFile), JsonSerializer.Serialize(_state, Json));
            });
        }

        private Tensor Restore(string directory)
        {
            var stateFile = Path.Combine(directory, StateFile);
            if (!File.Exists(stateFile))
            {
                throw new FileNotFoundException($"'{directory}' is not a pretraining checkpoint (no {StateFile}).", stateFile);
            }

            _state = JsonSerializer.Deserialize<PretrainerState>(File.ReadAllText(stateFile), Json)
                ?? throw new InvalidDataException($"'{stateFile}' is empty.");
            var best = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(directory)) ?? ".", "best");
            if (File.Exists(Path.Combine(best, EncoderFile)))
            {
                encoder.load(Path.Combine(best, EncoderFile));
                loss.load(Path.Combine(best, LossFile));
                _bestEncoder = ModuleWeights.Snapshot(encoder, null);
                _bestLoss = ModuleWeights.Snapshot(loss, null);
            }

            encoder.load(Path.Combine(directory, EncoderFile));
            loss.load(Path.Combine(directory, LossFile));
            using var reader = new BinaryReader(File.OpenRead(Path.Combine(directory, OptimizerFile)));
            adam.Load(reader);
            var generatorState = TensorExtensionMethods.Load(reader).DetachFromDisposeScope();
            using var rng = TensorExtensionMethods.Load(reader);
            set_rng_state(rng);
            return generatorState;
        }

        private PretrainingResult Result(bool reachedMax)
        {
            _clock.Stop();
            var counts = Counts();
            var trainingTime = (_clock.Elapsed - _evaluationTime).TotalSeconds;
            return new PretrainingResult
            {
                History = _history,
                Best = _best,
                StoppedEarly = _state.Stopped,
                ReachedMaxSteps = reachedMax,
                GlobalSteps = _state.GlobalStep,
                PairsSeen = _stepsThisRun * _o.BatchSize,
                ItemsSeen = (long)counts[2],
                TokensSeen = (long)counts[3],
                Elapsed = _clock.Elapsed,
                PairsPerSecond = trainingTime > 0 ? _stepsThisRun * (double)_o.BatchSize / trainingTime : 0,
            };
        }
    }
}

/// <summary>The loop's position and bookkeeping, saved as JSON in a checkpoint.</summary>
internal sealed record PretrainerState
{
    public int Epoch { get; set; }

    public int StepInEpoch { get; set; }

    public long GlobalStep { get; set; }

    public double? BestLoss { get; set; }

    public int EvaluationsWithoutImprovement { get; set; }

    public bool Stopped { get; set; }
}
