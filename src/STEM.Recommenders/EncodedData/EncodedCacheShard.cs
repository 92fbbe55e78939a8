namespace STEM.Recommenders.EncodedData;

/// <summary>One shard of an encoded cache: its file stem and its rows.</summary>
/// <param name="Name">File stem; the shard's columns are <c>Name.ids</c>, <c>.weights</c>, <c>.labels</c>, <c>.mask</c>, <c>.groups</c>.</param>
/// <param name="Rows">Number of rows.</param>
public sealed record EncodedCacheShard(string Name, int Rows);
