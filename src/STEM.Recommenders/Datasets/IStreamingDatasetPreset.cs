using STEM.Recommenders.Data;

namespace STEM.Recommenders.Datasets;

/// <summary>
/// A dataset preset that can also stream its files in chunks (for <see cref="DataConfig.Cache"/>):
/// its rows then go to an on-disk encoded cache instead of memory. Presets whose data is small
/// (census-income, synthetic) implement only <see cref="IDatasetPreset"/>.
/// </summary>
public interface IStreamingDatasetPreset : IDatasetPreset
{
    /// <summary>The preset's files as a stream of split chunks, with the schema and the source list.</summary>
    /// <param name="data">The data section (already validated).</param>
    /// <param name="readers">File readers.</param>
    /// <param name="chunkRows">Rows per chunk.</param>
    /// <param name="cancellationToken">Cancels the read of side tables.</param>
    Task<StreamingSplits> StreamAsync(DataConfig data, TableReaderRegistry readers, int chunkRows, CancellationToken cancellationToken = default);
}
