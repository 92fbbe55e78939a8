using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.EncodedData;

/// <summary>
/// Encoded rows that the trainer and the evaluator read batch by batch: an in-memory
/// <see cref="EncodedDataset"/> or an on-disk <see cref="EncodedCache"/>. A source says what its rows
/// are (layout, tasks, count) and cuts an epoch into batches in a seeded order that is a function of
/// the generator's state alone, so that a resumed run regenerates the same epoch and continues at
/// the saved step.
/// </summary>
public interface IBatchSource
{
    /// <summary>The layout the ids were encoded with.</summary>
    FeatureLayout Layout { get; }

    /// <summary>Task names, in label-column order.</summary>
    IReadOnlyList<string> TaskNames { get; }

    /// <summary>Number of rows.</summary>
    long RowCount { get; }

    /// <summary>Which split this is.</summary>
    DatasetRole Role { get; }

    /// <summary>The device batches are delivered on.</summary>
    Device Device { get; }

    /// <summary>
    /// Starts an epoch. With <paramref name="shuffle"/> the row order is drawn from
    /// <paramref name="generator"/> (and only from it); without, rows come in storage order.
    /// </summary>
    /// <param name="batchSize">Rows per batch (the last batch may be smaller).</param>
    /// <param name="shuffle">Whether to shuffle.</param>
    /// <param name="generator">The generator to draw the order from; required when shuffling.</param>
    IBatchEpoch StartEpoch(int batchSize, bool shuffle, Generator? generator = null);
}

/// <summary>One epoch of an <see cref="IBatchSource"/>, cut into batches.</summary>
/// <remarks>
/// Batches are meant to be taken in increasing step order from any first step (a resumed run starts
/// mid-epoch); a source may read ahead on that assumption. A batch's tensors belong to the dispose
/// scope current when it is taken.
/// </remarks>
public interface IBatchEpoch : IDisposable
{
    /// <summary>Number of batches in the epoch.</summary>
    int StepCount { get; }

    /// <summary>The batch at a step of the epoch (0-based).</summary>
    Batch GetBatch(int index);
}
