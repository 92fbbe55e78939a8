namespace STEM.Recommenders.Samples.Tests.Infrastructure;

/// <summary>Locates the repository, the samples' sources and the bundled KuaiRand sample.</summary>
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

    /// <summary>A sample's project directory (its appsettings.json is the content root in tests).</summary>
    public static string SampleProject(string name) => Path.Combine(RepositoryRoot, "samples", name);

    public static string Sample(string file) => Path.Combine(RepositoryRoot, "samples", "data", "kuairand-sample", file);

    public static string TempDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "stem-samples-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
