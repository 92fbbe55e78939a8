namespace STEM.Recommenders.Datasets;

/// <summary>Progress of an encoded-cache build.</summary>
/// <param name="Rows">Rows encoded so far (all splits).</param>
/// <param name="Elapsed">Time since the build started (both passes).</param>
public sealed record CacheBuildProgress(long Rows, TimeSpan Elapsed);
