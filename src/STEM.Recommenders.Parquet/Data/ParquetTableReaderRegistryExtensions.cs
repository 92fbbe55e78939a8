namespace STEM.Recommenders.Data;

/// <summary>Registers <see cref="ParquetTableReader"/> with a <see cref="TableReaderRegistry"/>.</summary>
public static class ParquetTableReaderRegistryExtensions
{
    /// <summary>Adds a <see cref="ParquetTableReader"/>, so that <c>*.parquet</c> files are read as Parquet.</summary>
    /// <param name="registry">The registry, usually from <see cref="TableReaderRegistry.CreateDefault"/>.</param>
    /// <returns>The same registry, for chaining.</returns>
    public static TableReaderRegistry AddParquet(this TableReaderRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.Add(new ParquetTableReader());
    }
}
