namespace STEM.Recommenders.Tests.Infrastructure;

/// <summary>Locates the repository, its bundled sample and the optional shared data beside it.</summary>
public static class TestPaths
{
    private static readonly Lazy<string> Root = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "STEM.Recommenders.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Repository root (STEM.Recommenders.sln) not found above " + AppContext.BaseDirectory);
    });

    public static string RepositoryRoot => Root.Value;

    public static string Sample(string file) => Path.Combine(RepositoryRoot, "samples", "data", "kuairand-sample", file);

    /// <summary>The shared data directory: $STEM_SHARED_DATA, else ../shared/data beside the repository.</summary>
    public static string SharedData =>
        Environment.GetEnvironmentVariable("STEM_SHARED_DATA") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data"));

    public static string KuaiRand(string file) => Path.Combine(SharedData, "kuairand-pure", file);

    public static string Census => Path.Combine(SharedData, "census-income", "census-income.part1.gz");

    public static bool HasSharedKuaiRand => File.Exists(KuaiRand("log_20220425_20220501.csv.gz"));

    public static bool HasSharedCensus => File.Exists(Census);

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "stem-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}

/// <summary>A fact that is skipped, with a message saying why, when ../shared/data/kuairand-pure is absent.</summary>
public sealed class SharedKuaiRandFactAttribute : FactAttribute
{
    public SharedKuaiRandFactAttribute()
    {
        if (!TestPaths.HasSharedKuaiRand)
        {
            Skip = $"Shared KuaiRand data not found at {TestPaths.SharedData}/kuairand-pure (set STEM_SHARED_DATA to run this test).";
        }
    }
}

/// <summary>A fact that is skipped, with a message saying why, when the shared census-income file is absent.</summary>
public sealed class SharedCensusFactAttribute : FactAttribute
{
    public SharedCensusFactAttribute()
    {
        if (!TestPaths.HasSharedCensus)
        {
            Skip = $"Shared census-income data not found at {TestPaths.Census} (set STEM_SHARED_DATA to run this test).";
        }
    }
}
