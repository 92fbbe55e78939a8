using STEM.Recommenders.Data;

namespace STEM.Recommenders.Datasets;

/// <summary>The "census-income" preset: <see cref="CensusIncomePreset"/> on the data section's train file.</summary>
internal sealed class CensusIncomeRegistration : IDatasetPreset
{
    public string Name => CensusIncomePreset.Name;

    public string Description => "UCI census-income (KDD), the MMoE paper's dataset: one file (train), split 70/15/15 at random; tasks income_50k, never_married.";

    public void Validate(DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(data);
        PresetChecks.RequireTrain(Name, data);
        PresetChecks.RejectUnread($"the {Name} preset", data, "train");
    }

    public IReadOnlyList<string> TaskNames(DataConfig data) => CensusIncomePreset.Schema().Tasks.Select(t => t.Name).ToArray();

    public string DescribeSource(DataConfig data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return $"{Name} ({data.Train})";
    }

    public Task<PresetSplits> LoadAsync(DataConfig data, TableReaderRegistry readers, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);

        // The UCI files are headerless ", "-separated text that only the CSV reader's options describe.
        return CensusIncomePreset.LoadAsync(new CensusIncomeOptions { Path = data.Train! }, cancellationToken);
    }
}
