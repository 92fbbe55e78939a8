namespace STEM.Recommenders.Datasets;

/// <summary>A side table joined by key.</summary>
/// <param name="Path">The side table's file.</param>
/// <param name="Key">The key column in the main table.</param>
/// <param name="SideKey">The key column in the side table (default <paramref name="Key"/>).</param>
public sealed record SideTableConfig(string Path, string Key, string? SideKey = null);
