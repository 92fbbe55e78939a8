using STEM.Recommenders.EncodedData;

namespace STEM.Recommenders.Tests.EncodedData;

/// <summary>
/// A disk that fills while an encoded cache is written (issue 9, bad input): the partial cache is
/// removed and the error names the file that could not be written, in a write, when a shard's
/// buffers are flushed, and when the manifest is written.
/// </summary>
public class CacheDiskFullTests
{
    private const int Rows = 20_000;

    private static EncodedCacheWriter Writer(string directory, int shardRows = 5_000) =>
        new(directory, FeatureLayout.Categorical([100, 200]), ["click"], DatasetRole.Train, "pipeline-hash", [], groups: false, shardRows);

    /// <summary>Appends <see cref="Rows"/> rows (10 bytes each: two int32 ids, a label and a mask byte) in chunks of 1,000, then completes.</summary>
    private static void WriteAll(EncodedCacheWriter writer)
    {
        var ids = new long[2000];
        var labels = new float[1000];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = i % 2 == 0 ? i % 100 : 100 + (i % 200);
        }

        for (var chunk = 0; chunk < Rows / 1000; chunk++)
        {
            writer.Append(ids, [], labels, [], []);
        }

        writer.Complete(null, []);
    }

    private static string[] Left(string parent) => Directory.EnumerateFileSystemEntries(parent).Select(Path.GetFileName).ToArray()!;

    [Theory]
    [InlineData(30_000, "shard-00000.ids")]    // the first write of the .ids file crosses the capacity
    [InlineData(60_000, "shard-00001.ids")]    // a later shard
    public void A_write_that_fills_the_disk_removes_the_partial_cache_and_names_the_file(long capacity, string file)
    {
        var parent = TestPaths.TempDirectory();
        var directory = Path.Combine(parent, "cache");
        var disk = new FullDiskStream.Disk(capacity);
        using var writer = Writer(directory);
        // One disk for all files of the cache: what one file writes, the others cannot.
        writer.CreateFile = path => new FullDiskStream(new FileStream(path, FileMode.CreateNew), path, disk);

        var act = () => WriteAll(writer);

        act.Should().Throw<IOException>()
            .WithMessage($"{Path.Combine(directory, file)}: cannot write the encoded cache (No space left on device : '*'); the partial cache was removed")
            .Which.InnerException.Should().BeOfType<IOException>().Which.HResult.Should().Be(FullDiskStream.Enospc);
        Left(parent).Should().BeEmpty("neither the cache nor its partial directory may be left behind");
    }

    [Fact]
    public void A_flush_that_fills_the_disk_when_a_shard_closes_removes_the_partial_cache()
    {
        var parent = TestPaths.TempDirectory();
        var directory = Path.Combine(parent, "cache");
        using var writer = Writer(directory);

        // The .mask file accepts its writes into the stream's buffer and fails when the shard closes.
        writer.CreateFile = path => path.EndsWith(".mask", StringComparison.Ordinal)
            ? new BufferedStream(new FullDiskStream(new FileStream(path, FileMode.CreateNew), path, 100), 1 << 20)
            : new FileStream(path, FileMode.CreateNew);

        var act = () => WriteAll(writer);

        act.Should().Throw<IOException>().WithMessage($"{Path.Combine(directory, "shard-00000.mask")}: cannot write the encoded cache (*); the partial cache was removed");
        Left(parent).Should().BeEmpty();
    }

    [Fact]
    public void A_manifest_that_does_not_fit_removes_the_partial_cache()
    {
        var parent = TestPaths.TempDirectory();
        var directory = Path.Combine(parent, "cache");
        using var writer = Writer(directory);
        writer.CreateFile = path => path.EndsWith(EncodedCacheManifest.FileName, StringComparison.Ordinal)
            ? new FullDiskStream(new FileStream(path, FileMode.CreateNew), path, 10)
            : new FileStream(path, FileMode.CreateNew);

        var act = () => WriteAll(writer);

        act.Should().Throw<IOException>().WithMessage($"{Path.Combine(directory, EncodedCacheManifest.FileName)}: cannot write the encoded cache (*); the partial cache was removed");
        Left(parent).Should().BeEmpty();
    }

    [RealFullDiskFact]
    public void A_real_full_disk_removes_the_partial_cache_and_names_the_file()
    {
        // 64 KiB of tmpfs for a 200 KB cache: the kernel's ENOSPC, not an injected one.
        using var disk = SmallTmpfs.TryMount(64)!;
        var directory = Path.Combine(disk.Directory, "cache");
        using var writer = Writer(directory);

        var act = () => WriteAll(writer);

        act.Should().Throw<IOException>().WithMessage($"{directory}{Path.DirectorySeparatorChar}shard-0000*: cannot write the encoded cache (No space left on device*); the partial cache was removed");
        Left(disk.Directory).Should().BeEmpty();
    }
}
