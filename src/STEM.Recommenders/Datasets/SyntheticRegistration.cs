using STEM.Recommenders.Data;

namespace STEM.Recommenders.Datasets;

/// <summary>The "synthetic" preset: <see cref="SyntheticMultiTaskGenerator"/> with rows, correlation and task count from the data section.</summary>
internal sealed class SyntheticRegistration : IDatasetPreset
{
    public string Name => SyntheticMultiTaskGenerator.Name;

    public string Description => "Synthetic tasks of controllable correlation as in the MMoE paper (rows, correlation, tasks); reads no file.";

    public void Validate(DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(data);
        PresetChecks.RejectUnread($"the {Name} preset", data, "rows", "correlation", "tasks");
    }

    // The generator names its tasks task0..task{T-1}.
    public IReadOnlyList<string> TaskNames(DataConfig data) =>
        Enumerable.Range(0, Options(data).Tasks).Select(k => $"task{k}").ToArray();

    public string DescribeSource(DataConfig data) => $"synthetic data ({Options(data).Rows} rows)";

    public Task<PresetSplits> LoadAsync(DataConfig data, TableReaderRegistry readers, CancellationToken cancellationToken = default) =>
        Task.FromResult(SyntheticMultiTaskGenerator.GenerateSplits(Options(data)));

    private static SyntheticOptions Options(DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var defaults = new SyntheticOptions();

        // Only the number of task names matters: the generator names its tasks itself.
        return defaults with
        {
            Rows = data.Rows ?? defaults.Rows,
            Correlation = data.Correlation ?? defaults.Correlation,
            Tasks = data.Tasks?.Count ?? defaults.Tasks,
        };
    }
}
