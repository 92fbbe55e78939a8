using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.EncodedData;

/// <summary>
/// One task of a multi-task <see cref="IBatchSource"/>: the same rows and features with only that
/// task's label column (and mask). Used to train and validate one task's model on its own, without
/// copying the data.
/// </summary>
public sealed class TaskView : IBatchSource
{
    private readonly IBatchSource _source;
    private readonly long _task;

    /// <summary>Creates the view of task <paramref name="task"/> (an index in <see cref="IBatchSource.TaskNames"/>).</summary>
    public TaskView(IBatchSource source, int task)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, source.TaskNames.Count);
        _source = source;
        _task = task;
        TaskNames = [source.TaskNames[task]];
    }

    /// <inheritdoc />
    public FeatureLayout Layout => _source.Layout;

    /// <inheritdoc />
    public IReadOnlyList<string> TaskNames { get; }

    /// <inheritdoc />
    public long RowCount => _source.RowCount;

    /// <inheritdoc />
    public DatasetRole Role => _source.Role;

    /// <inheritdoc />
    public Device Device => _source.Device;

    /// <inheritdoc />
    public IBatchEpoch StartEpoch(int batchSize, bool shuffle, Generator? generator = null) =>
        new Epoch(_source.StartEpoch(batchSize, shuffle, generator), _task);

    private sealed class Epoch(IBatchEpoch inner, long task) : IBatchEpoch
    {
        public int StepCount => inner.StepCount;

        public Batch GetBatch(int index)
        {
            var batch = inner.GetBatch(index);
            return batch with { Labels = batch.Labels.narrow(1, task, 1), LabelMask = batch.LabelMask?.narrow(1, task, 1) };
        }

        public void Dispose() => inner.Dispose();
    }
}
