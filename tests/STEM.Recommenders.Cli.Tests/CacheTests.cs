namespace STEM.Recommenders.Cli.Tests;

/// <summary><c>--cache DIR</c>: the streaming path from the command line.</summary>
public sealed class CacheTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public async Task Train_with_a_cache_streams_the_sample_into_shards_and_reuses_them()
    {
        var cache = Path.Combine(_dir, "cache");
        string[] Args(string output) =>
        [
            "train", "--preset", "kuairand", "--train", TestPaths.Sample("log.csv.gz"), "--users", TestPaths.Sample("user_features.csv.gz"),
            "--videos", TestPaths.Sample("video_features.csv.gz"), "--cache", cache, "--model", "shared-bottom", "--epochs", "1",
            "--batch-size", "1024", "--device", "cpu", "--threads", "1", "--output", output,
        ];

        await Stem.SucceedAsync(Args(Path.Combine(_dir, "first")));
        var manifest = Path.Combine(cache, "train", "manifest.json");
        var built = File.GetLastWriteTimeUtc(manifest);
        await Stem.SucceedAsync(Args(Path.Combine(_dir, "second")));

        File.ReadAllText(manifest).Should().Contain("\"rowCount\": 12715");
        File.GetLastWriteTimeUtc(manifest).Should().Be(built, "an unchanged source reuses the cache");
        File.Exists(Path.Combine(_dir, "second", "metrics.json")).Should().BeTrue();
    }

    [Fact]
    public async Task A_cache_for_a_preset_that_does_not_stream_is_an_error_before_any_work()
    {
        var result = await Stem.RunAsync("train", "--preset", "synthetic", "--rows", "500", "--cache", Path.Combine(_dir, "cache"));

        result.ExitCode.Should().Be(3, "an invalid experiment");
        result.ErrorLine.Should().Contain("$.data.cache").And.Contain("the 'synthetic' preset is read in memory only");
        Directory.Exists(Path.Combine(_dir, "cache")).Should().BeFalse();
    }
}
