using System.Diagnostics;
using STEM.Recommenders.Data;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Scaling;

/// <summary>
/// Runs a CLUE scaling study: grids over training steps (compute), encoder width (parameters),
/// batch size × model size, sequence length and training users (data), each run a fresh encoder
/// pretrained with the contrastive loss and measured by held-out InfoNCE at one fixed evaluation
/// batch size on users it never saw. The held-out users are the same for every run of a series,
/// and smaller data sizes are prefixes of one seeded permutation of the training users.
/// </summary>
public sealed class ScalingStudy
{
    private readonly ScalingStudyOptions _options;

    /// <summary>Creates a study; the options are validated here.</summary>
    public ScalingStudy(ScalingStudyOptions? options = null)
    {
        _options = options ?? new ScalingStudyOptions();
        _options.Validate();
    }

    /// <summary>The grids.</summary>
    public ScalingStudyOptions Options => _options;

    /// <summary>
    /// Runs every grid on <paramref name="events"/> (series <paramref name="series"/>) and, when
    /// <paramref name="synthetic"/> is given, the data grid on generated users (series "synthetic").
    /// </summary>
    /// <param name="events">The real event log (e.g. the KuaiRand training days joined with video features).</param>
    /// <param name="sequences">How its events become token sequences.</param>
    /// <param name="series">The real series' label.</param>
    /// <param name="synthetic">Options of the synthetic log (its Users is overridden by the grid), or <see langword="null"/> to skip it.</param>
    /// <param name="progress">One line per finished run.</param>
    /// <param name="cancellationToken">Stops between steps.</param>
    public IReadOnlyList<ScalingRun> Run(DataTable events, SequenceOptions sequences, string series = "kuairand", SyntheticUserLogOptions? synthetic = null, IProgress<ScalingRun>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(sequences);
        var o = _options;
        var runs = new List<ScalingRun>();
        void Add(ScalingRun run)
        {
            runs.Add(run);
            progress?.Report(run);
        }

        var baseSequences = sequences with { MaxLength = o.BaseSequenceLength };
        using (var data = Prepared.Create(events, baseSequences, o.EvaluationBatchSize))
        {
            foreach (var seed in o.Seeds)
            {
                foreach (var steps in o.Steps)
                {
                    Add(Train(series, "compute", data, data.Train, o.BaseEncoder, o.BaseBatchSize, steps, null, seed, cancellationToken));
                }

                foreach (var width in o.Widths)
                {
                    Add(Train(series, "parameters", data, data.Train, o.EncoderOfWidth(width), o.BaseBatchSize, o.ParameterSteps, null, seed, cancellationToken));
                }

                foreach (var width in o.BatchWidths)
                {
                    foreach (var batch in o.BatchSizes.Where(b => b <= data.Train.Count))
                    {
                        Add(Train(series, "batch", data, data.Train, o.EncoderOfWidth(width), batch, null, o.BatchEpochs, seed, cancellationToken));
                    }
                }

                foreach (var fraction in o.UserFractions)
                {
                    using var subset = data.Subset((int)Math.Round(fraction * data.Train.Count), seed);
                    if (subset.Count >= 2)
                    {
                        Add(Train(series, "data", data, subset, o.BaseEncoder, Math.Min(o.BaseBatchSize, subset.Count), null, o.DataEpochs, seed, cancellationToken));
                    }
                }
            }
        }

        foreach (var length in o.SequenceLengths)
        {
            using var data = Prepared.Create(events, sequences with { MaxLength = length }, o.EvaluationBatchSize);
            foreach (var seed in o.Seeds)
            {
                Add(Train(series, "sequence", data, data.Train, o.BaseEncoder, o.BaseBatchSize, o.SequenceSteps, null, seed, cancellationToken));
            }
        }

        if (synthetic is not null && o.SyntheticUsers.Count > 0)
        {
            // One generated population whose training part covers the largest size; the same held-out users score every size.
            var largest = o.SyntheticUsers.Max();
            var generated = SyntheticUserLogGenerator.Generate(synthetic with { Users = (int)Math.Ceiling(largest / 0.8) + (2 * o.EvaluationBatchSize) });
            var syntheticSequences = SyntheticUserLogGenerator.DefaultSequenceOptions with { MaxLength = o.BaseSequenceLength };
            using var data = Prepared.Create(generated, syntheticSequences, o.EvaluationBatchSize);
            foreach (var seed in o.Seeds)
            {
                foreach (var users in o.SyntheticUsers)
                {
                    using var subset = data.Subset(Math.Min(users, data.Train.Count), seed);
                    Add(Train("synthetic", "data", data, subset, o.BaseEncoder, Math.Min(o.BaseBatchSize, subset.Count), null, o.DataEpochs, seed, cancellationToken));
                }
            }
        }

        return runs;
    }

    private ScalingRun Train(string series, string axis, Prepared data, UserPairSet train, ClueEncoderOptions encoderOptions, int batch, int? steps, int? epochs, int seed, CancellationToken cancellationToken)
    {
        var o = _options;
        var stepsPerEpoch = Math.Max(1, train.Count / batch);
        var total = steps ?? (epochs!.Value * stepsPerEpoch);
        var training = new PretrainingOptions
        {
            Epochs = (int)Math.Min(100_000, ((long)total + stepsPerEpoch - 1) / stepsPerEpoch),
            BatchSize = batch,
            LearningRate = o.LearningRate,
            EvaluationBatchSize = o.EvaluationBatchSize,
            EvaluateEverySteps = total,
            MaxSteps = total,
            Patience = 1_000,
            Seed = seed,
            ProgressEverySteps = Math.Max(1, total),
            RestoreBestWeights = false,
        };
        TorchSharp.torch.manual_seed(seed);
        using var encoder = new ClueEncoder("clue", data.Vocabulary.Count, data.Log.Options.MaxTokensPerItem, encoderOptions);
        using var loss = new ContrastiveLoss("loss", o.Loss);
        var clock = Stopwatch.StartNew();
        var result = new Pretrainer(training).Fit(encoder, loss, train, data.Validation, null, cancellationToken);
        var heldOut = (result.History.Count > 0 ? result.History[^1].Validation : null) ?? Pretrainer.Evaluate(encoder, loss, data.Validation, o.EvaluationBatchSize);
        clock.Stop();
        return new ScalingRun
        {
            Name = $"{series}/{axis}/w{encoderOptions.Width}-l{encoderOptions.Layers}-b{batch}-L{data.Log.Options.MaxLength}-u{train.Count}-s{result.GlobalSteps}/seed{seed}",
            Series = series,
            Axis = axis,
            Seed = seed,
            Parameters = encoder.ParameterCounts.Total,
            NonEmbeddingParameters = encoder.NonEmbeddingParameterCount,
            Compute = ClueCompute.TrainingFlops(encoder, result.TokensSeen, result.ItemsSeen, result.PairsSeen * 2),
            Tokens = result.TokensSeen,
            TrainingUsers = train.Count,
            BatchSize = batch,
            SequenceLength = data.Log.Options.MaxLength,
            Width = encoderOptions.Width,
            Layers = encoderOptions.Layers,
            Steps = result.GlobalSteps,
            WallSeconds = clock.Elapsed.TotalSeconds,
            Loss = heldOut.Loss,
            Top1 = heldOut.Top1,
            Top10 = heldOut.Top10,
        };
    }

    /// <summary>A log with its user split, vocabulary and pairs, and a seeded order of its training users.</summary>
    private sealed class Prepared : IDisposable
    {
        private Prepared(ClueDataSplits splits)
        {
            Splits = splits;
        }

        public ClueDataSplits Splits { get; }

        public UserEventLog Log => Splits.Log;

        public TokenVocabulary Vocabulary => Splits.Vocabulary;

        public UserPairSet Train => Splits.Train;

        public UserPairSet Validation => Splits.Validation;

        public static Prepared Create(DataTable events, SequenceOptions sequences, int evaluationBatch)
        {
            var splits = ClueData.Prepare(events, sequences);
            if (splits.Validation.Count < evaluationBatch)
            {
                var count = splits.Validation.Count;
                splits.Dispose();
                throw new ArgumentException($"ScalingStudyOptions.EvaluationBatchSize ({evaluationBatch}) is larger than the {count} held-out users with two views; lower it.", nameof(evaluationBatch));
            }

            return new Prepared(splits);
        }

        /// <summary>The first <paramref name="users"/> training users of a seeded permutation (prefixes nest across sizes).</summary>
        public UserPairSet Subset(int users, int seed)
        {
            var keys = Train.UserKeys.ToArray();
            new Random(seed).Shuffle(keys);
            return Log.EncodePairs(Vocabulary, keys.Take(users).ToHashSet(StringComparer.Ordinal));
        }

        public void Dispose() => Splits.Dispose();
    }
}
