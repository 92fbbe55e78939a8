using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Scaling;

/// <summary>
/// The grids of a CLUE scaling study. Every run trains a fresh encoder with the contrastive loss
/// and reports its held-out InfoNCE at one fixed evaluation batch size. The defaults are sized to
/// finish in about half an hour on a 2-core CPU with the KuaiRand week plus the synthetic series;
/// they are small by the paper's standards on purpose (the real week has ~4k users with two views).
/// </summary>
public sealed record ScalingStudyOptions
{
    /// <summary>Seeds per configuration (the bootstrap resamples over them). Default 1, 2, 3.</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];

    /// <summary>Users per evaluation batch; fixed across the study because InfoNCE is bounded by log(batch). Default 128.</summary>
    public int EvaluationBatchSize { get; init; } = 128;

    /// <summary>The encoder that the grids vary from. Default width 32, 1 layer, 2 heads, feed-forward 64, output 32, no dropout.</summary>
    public ClueEncoderOptions BaseEncoder { get; init; } = new() { Width = 32, Layers = 1, Heads = 2, FeedForward = 64, OutputDim = 32, Dropout = 0 };

    /// <summary>Training batch of the compute, parameter, sequence and data grids. Default 64.</summary>
    public int BaseBatchSize { get; init; } = 64;

    /// <summary>Items per view in every grid but the sequence-length one. Default 16.</summary>
    public int BaseSequenceLength { get; init; } = 16;

    /// <summary>
    /// The contrastive loss of every run. Default a fixed temperature of 0.2: with a learned one, the
    /// loss of runs of different lengths is measured at different temperatures, and on logs as short
    /// as the KuaiRand week a learned temperature keeps sharpening after the held-out loss has turned.
    /// </summary>
    public ContrastiveLossOptions Loss { get; init; } = new() { Temperature = 0.2, LearnableTemperature = false };

    /// <summary>Adam learning rate of every run. Default 1e-3.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>
    /// Compute grid: training steps of the base encoder. Default 10 … 320 — up to about six epochs
    /// of the KuaiRand week's two-view users; the longest runs show where more steps stop helping.
    /// </summary>
    public IReadOnlyList<int> Steps { get; init; } = [10, 20, 40, 80, 160, 320];

    /// <summary>Parameter grid: encoder widths (feed-forward 2× width, output = width, heads = width / 16 at least 1). Default 8 … 256.</summary>
    public IReadOnlyList<int> Widths { get; init; } = [8, 16, 32, 64, 128, 256];

    /// <summary>Training steps of every parameter-grid run. Default 60.</summary>
    public int ParameterSteps { get; init; } = 60;

    /// <summary>Batch grid: training batch sizes, crossed with <see cref="BatchWidths"/>. Default 16 … 256.</summary>
    public IReadOnlyList<int> BatchSizes { get; init; } = [16, 32, 64, 128, 256];

    /// <summary>Model sizes (widths) of the batch grid. Default 16 and 64.</summary>
    public IReadOnlyList<int> BatchWidths { get; init; } = [16, 64];

    /// <summary>Epochs of every batch-grid run (equal data, so the batch sets the number of steps). Default 2.</summary>
    public int BatchEpochs { get; init; } = 2;

    /// <summary>Sequence-length grid: items per view. Default 2 … 32.</summary>
    public IReadOnlyList<int> SequenceLengths { get; init; } = [2, 4, 8, 16, 32];

    /// <summary>Training steps of every sequence-grid run. Default 60.</summary>
    public int SequenceSteps { get; init; } = 60;

    /// <summary>Data grid on the real log: fractions of the training users. Default 1/8 … 1.</summary>
    public IReadOnlyList<double> UserFractions { get; init; } = [0.125, 0.25, 0.5, 1.0];

    /// <summary>Data grid on the synthetic log (clearly labelled "synthetic"): training users generated. Default 100 … 100,000.</summary>
    public IReadOnlyList<int> SyntheticUsers { get; init; } = [100, 1_000, 10_000, 100_000];

    /// <summary>Epochs of every data-grid run (more data, more steps). Default 2.</summary>
    public int DataEpochs { get; init; } = 2;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        Require(Seeds is { Count: > 0 }, nameof(Seeds), "must name at least one seed");
        Require(EvaluationBatchSize >= 2, nameof(EvaluationBatchSize), "must be at least 2");
        ArgumentNullException.ThrowIfNull(BaseEncoder);
        BaseEncoder.Validate();
        ArgumentNullException.ThrowIfNull(Loss);
        Loss.Validate();
        Require(BaseBatchSize >= 2, nameof(BaseBatchSize), "must be at least 2");
        Require(BaseSequenceLength >= 1 && BaseSequenceLength <= BaseEncoder.MaxLength, nameof(BaseSequenceLength), $"must be in [1, {BaseEncoder.MaxLength}]");
        Require(double.IsFinite(LearningRate) && LearningRate > 0, nameof(LearningRate), "must be a positive finite number");
        Require(Steps.All(s => s >= 1), nameof(Steps), "must all be at least 1");
        Require(Widths.All(w => w is >= 2 and <= 1024), nameof(Widths), "must all be in [2, 1024]");
        Require(ParameterSteps >= 1, nameof(ParameterSteps), "must be at least 1");
        Require(BatchSizes.All(b => b >= 2), nameof(BatchSizes), "must all be at least 2");
        Require(BatchWidths.All(w => w is >= 2 and <= 1024), nameof(BatchWidths), "must all be in [2, 1024]");
        Require(BatchEpochs >= 1, nameof(BatchEpochs), "must be at least 1");
        Require(SequenceLengths.All(l => l >= 1 && l <= BaseEncoder.MaxLength), nameof(SequenceLengths), $"must all be in [1, {BaseEncoder.MaxLength}]");
        Require(SequenceSteps >= 1, nameof(SequenceSteps), "must be at least 1");
        Require(UserFractions.All(f => f is > 0 and <= 1), nameof(UserFractions), "must all be in (0, 1]");
        Require(SyntheticUsers.All(u => u >= 10), nameof(SyntheticUsers), "must all be at least 10");
        Require(DataEpochs >= 1, nameof(DataEpochs), "must be at least 1");
    }

    /// <summary>The encoder of a given width: feed-forward 2×, output = width, heads = max(1, width / 16).</summary>
    public ClueEncoderOptions EncoderOfWidth(int width) => BaseEncoder with
    {
        Width = width,
        FeedForward = 2 * width,
        OutputDim = width,
        Heads = Math.Max(1, width / 16),
    };

    private static void Require(bool ok, string option, string rule)
    {
        if (!ok)
        {
            throw new ArgumentException($"{nameof(ScalingStudyOptions)}.{option} {rule}.", option);
        }
    }
}
