using STEM.Recommenders.Datasets;

namespace STEM.Recommenders.Tests.Infrastructure;

/// <summary>Small encoded synthetic splits for trainer tests (cached: encoding is deterministic).</summary>
public static class SyntheticSplits
{
    public static EncodedSplits Create(int rows = 1200, int tasks = 2, int seed = 5) =>
        SyntheticMultiTaskGenerator.GenerateSplits(new SyntheticOptions { Rows = rows, Tasks = tasks, Dimensions = 6, Seed = seed, Correlation = 0.5 }).Encode();
}

/// <summary>An <see cref="IProgress{T}"/> that runs the callback synchronously on the training thread.</summary>
public sealed class InlineProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
