namespace STEM.Recommenders.Testing;

/// <summary>
/// Locates the repository, its samples and bundled data, the optional shared data beside it, and
/// per-test temporary directories. Linked into every test project.
/// </summary>
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

    /// <summary>A file of the bundled KuaiRand sample.</summary>
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

    /// <summary>Deletes a test directory; a file still held open leaves litter in the temp folder but must not fail a test.</summary>
    public static void Delete(string directory)
    {
        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
