using STEM.Recommenders.Data;

namespace STEM.Recommenders.Datasets;

/// <summary>
/// A dataset preset: one object that knows everything experiment files, the command line and
/// hosted runs need about a dataset, so that adding one is one <see cref="DatasetPresets.Register"/>
/// call rather than a switch in each of them. It reads its settings from the experiment's
/// <c>data</c> section (<see cref="DataConfig"/>).
/// </summary>
public interface IDatasetPreset
{
    /// <summary>The name in <c>data.preset</c> and <c>--preset</c>, e.g. "kuairand"; compared without regard to letter case.</summary>
    string Name { get; }

    /// <summary>One line for help texts and listings, e.g. what the data is and which settings it needs.</summary>
    string Description { get; }

    /// <summary>
    /// Checks the settings this preset needs before anything is read, so that a bad experiment
    /// fails when it is loaded rather than minutes into a run.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A setting is missing or invalid. <see cref="ArgumentException.ParamName"/> names the setting,
    /// as the <see cref="DataConfig"/> property or as the <c>data</c> section writes it
    /// (<c>nameof(DataConfig.Train)</c> or "train"), so the message can name <c>$.data.train</c> in a
    /// file and <c>--train</c> on the command line; <see langword="null"/> blames the section as a whole.
    /// </exception>
    void Validate(DataConfig data);

    /// <summary>
    /// The task names the splits will have with these settings, known without reading any file
    /// (the command line checks the monitor metric and fixed task weights against them).
    /// </summary>
    IReadOnlyList<string> TaskNames(DataConfig data);

    /// <summary>Where the data comes from, for log lines, e.g. "kuairand (log.csv.gz)".</summary>
    string DescribeSource(DataConfig data);

    /// <summary>Reads (or generates) the data and splits it into train, validation and test; nothing is fitted yet.</summary>
    /// <param name="data">The validated settings; relative paths are already resolved.</param>
    /// <param name="readers">The file readers of the run (CSV/TSV, and Parquet where it is registered).</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    Task<PresetSplits> LoadAsync(DataConfig data, TableReaderRegistry readers, CancellationToken cancellationToken = default);
}
