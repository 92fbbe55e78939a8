using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.EncodedData;

/// <summary>
/// An encoded split held as whole columns of tensors: ids [N, S] in one global id space, optional
/// slot weights [N, S], labels [N, T], label mask [N, T] and group ids [N]. Batches are taken with
/// <c>index_select</c> over a permutation, so a step costs a handful of native calls whatever the
/// number of fields. Move it to the GPU once with <see cref="To"/> to keep the data resident there.
/// </summary>
public sealed class EncodedDataset : IBatchSource, IDisposable
{
    private bool _disposed;

    /// <summary>Wraps tensors; the dataset takes ownership and detaches them from any dispose scope.</summary>
    public EncodedDataset(
        FeatureLayout layout,
        IReadOnlyList<string> taskNames,
        Tensor ids,
        Tensor? slotWeights,
        Tensor labels,
        Tensor? labelMask,
        Tensor? groupIds,
        IReadOnlyList<string>? groupKeys,
        DatasetRole role = DatasetRole.Unspecified)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(taskNames);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(labels);
        if (ids.dim() != 2 || ids.shape[1] != layout.SlotCount)
        {
            throw new ArgumentException($"Ids must be [N, {layout.SlotCount}], got [{string.Join(", ", ids.shape)}].", nameof(ids));
        }

        if (labels.dim() != 2 || labels.shape[0] != ids.shape[0] || labels.shape[1] != taskNames.Count)
        {
            throw new ArgumentException($"Labels must be [{ids.shape[0]}, {taskNames.Count}], got [{string.Join(", ", labels.shape)}].", nameof(labels));
        }

        Layout = layout;
        TaskNames = taskNames;
        Ids = ids.DetachFromDisposeScope();
        SlotWeights = slotWeights?.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        LabelMask = labelMask?.DetachFromDisposeScope();
        GroupIds = groupIds?.DetachFromDisposeScope();
        GroupKeys = groupKeys;
        Role = role;
        Count = checked((int)ids.shape[0]);
    }

    /// <summary>The layout the ids were encoded with.</summary>
    public FeatureLayout Layout { get; }

    /// <summary>Task names, in label-column order.</summary>
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>int64 [N, S] global ids.</summary>
    public Tensor Ids { get; }

    /// <summary>float32 [N, S] slot weights, or <see langword="null"/> when all are 1.</summary>
    public Tensor? SlotWeights { get; }

    /// <summary>float32 [N, T] labels (0 or 1; 0 where missing).</summary>
    public Tensor Labels { get; }

    /// <summary>float32 [N, T], 1 where the label is observed; <see langword="null"/> when all are.</summary>
    public Tensor? LabelMask { get; }

    /// <summary>int64 [N] group index into <see cref="GroupKeys"/> (-1 where unknown), or <see langword="null"/>.</summary>
    public Tensor? GroupIds { get; }

    /// <summary>The raw group keys (e.g. user ids) that <see cref="GroupIds"/> index.</summary>
    public IReadOnlyList<string>? GroupKeys { get; }

    /// <summary>Which split this is.</summary>
    public DatasetRole Role { get; }

    /// <summary>Number of rows.</summary>
    public int Count { get; }

    /// <summary>The device the tensors are on.</summary>
    public Device Device => Ids.device;

    /// <inheritdoc />
    long IBatchSource.RowCount => Count;

    /// <inheritdoc />
    /// <remarks>The order is one <c>randperm</c> of all rows drawn from the generator, as it always was.</remarks>
    public IBatchEpoch StartEpoch(int batchSize, bool shuffle, Generator? generator = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (shuffle)
        {
            ArgumentNullException.ThrowIfNull(generator);
        }

        return new Epoch(this, Order(shuffle, generator), batchSize);
    }

    /// <summary>The rows at the given indices (any device), with tensors in the current dispose scope.</summary>
    public Batch GetBatch(Tensor rows)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(rows);
        var features = new FeatureBatch(Ids.index_select(0, rows), SlotWeights?.index_select(0, rows));
        return new Batch(features, Labels.index_select(0, rows), LabelMask?.index_select(0, rows), GroupIds?.index_select(0, rows));
    }

    /// <summary>
    /// The row order of one epoch: a seeded random permutation (<paramref name="generator"/>) or
    /// 0..N-1. The caller owns the returned tensor; slice it with <c>narrow</c> per step.
    /// </summary>
    public Tensor Order(bool shuffle, Generator? generator = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        using var _ = NewDisposeScope();
        var order = shuffle
            ? randperm(Count, generator: generator, dtype: ScalarType.Int64).to(Device)
            : arange(Count, dtype: ScalarType.Int64, device: Device);
        return order.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Enumerates batches in order (or shuffled by <paramref name="seed"/>). Each batch's tensors are
    /// created in the dispose scope current at the time the batch is taken, so enumerate inside a
    /// per-step <c>NewDisposeScope</c> or dispose them yourself.
    /// </summary>
    public IEnumerable<Batch> Batches(int batchSize, bool shuffle = false, long seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        using var generator = shuffle ? new Generator((ulong)seed) : null;
        using var epoch = StartEpoch(batchSize, shuffle, generator);
        for (var step = 0; step < epoch.StepCount; step++)
        {
            yield return epoch.GetBatch(step);
        }
    }

    /// <summary>A copy of the chosen rows (e.g. a sample for a quick check).</summary>
    public EncodedDataset Subset(Tensor rows, DatasetRole? role = null)
    {
        ArgumentNullException.ThrowIfNull(rows);
        using var _ = NewDisposeScope();
        var batch = GetBatch(rows.to(Device));
        return new EncodedDataset(
            Layout,
            TaskNames,
            batch.Features.Ids.MoveToOuterDisposeScope(),
            batch.Features.SlotWeights?.MoveToOuterDisposeScope(),
            batch.Labels.MoveToOuterDisposeScope(),
            batch.LabelMask?.MoveToOuterDisposeScope(),
            batch.GroupIds?.MoveToOuterDisposeScope(),
            GroupKeys,
            role ?? Role);
    }

    /// <summary>The same data on another device (the data stays resident there; batches are cut there).</summary>
    public EncodedDataset To(Device device)
    {
        ArgumentNullException.ThrowIfNull(device);
        using var _ = NewDisposeScope();
        return new EncodedDataset(
            Layout,
            TaskNames,
            Ids.to(device).MoveToOuterDisposeScope(),
            SlotWeights?.to(device).MoveToOuterDisposeScope(),
            Labels.to(device).MoveToOuterDisposeScope(),
            LabelMask?.to(device).MoveToOuterDisposeScope(),
            GroupIds?.to(device).MoveToOuterDisposeScope(),
            GroupKeys,
            Role);
    }

    /// <summary>Positive rate per task over observed labels (a quick sanity check).</summary>
    public IReadOnlyList<double> PositiveRates()
    {
        using var _ = NewDisposeScope();
        var mask = LabelMask ?? ones_like(Labels);
        var positives = (Labels * mask).sum(dim: 0).to(ScalarType.Float64).cpu().data<double>().ToArray();
        var observed = mask.sum(dim: 0).to(ScalarType.Float64).cpu().data<double>().ToArray();
        return positives.Select((p, i) => observed[i] > 0 ? p / observed[i] : double.NaN).ToArray();
    }

    private sealed class Epoch(EncodedDataset data, Tensor order, int batchSize) : IBatchEpoch
    {
        public int StepCount { get; } = checked((int)((data.Count + (long)batchSize - 1) / batchSize));

        public Batch GetBatch(int index)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, StepCount);
            var start = (long)index * batchSize;
            using var rows = order.narrow(0, start, Math.Min(batchSize, data.Count - start));
            return data.GetBatch(rows);
        }

        public void Dispose() => order.Dispose();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Ids.Dispose();
        SlotWeights?.Dispose();
        Labels.Dispose();
        LabelMask?.Dispose();
        GroupIds?.Dispose();
    }
}
