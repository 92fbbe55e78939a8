using STEM.Recommenders.Cli.Infrastructure;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>
/// A disk that fills while <c>stem predict</c> writes its outputs (issue 9, bad input): the partial
/// output is removed, the error names the output file, outputs completed before it stay whole, and
/// the exit code is 1 (a retry elsewhere may succeed).
/// </summary>
[Collection(TrainedModelGroup.Name)]
public sealed class ScoringDiskFullTests(TrainedModel trained) : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    /// <summary>Three input files of 200 rows each under data/.</summary>
    private string Inputs()
    {
        var lines = File.ReadAllLines(trained.DataCsv);
        var data = Path.Combine(_dir, "data");
        Directory.CreateDirectory(data);
        for (var i = 0; i < 3; i++)
        {
            File.WriteAllLines(Path.Combine(data, $"part-{i}.csv"), [lines[0], .. lines[(1 + (i * 200))..(1 + ((i + 1) * 200))]]);
        }

        return data;
    }

    private static string[] Files(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(directory, f)).Order(StringComparer.Ordinal).ToArray();

    [Theory]
    [InlineData("csv")]
    [InlineData("parquet")]
    public async Task A_full_disk_while_an_output_is_written_removes_it_names_it_and_keeps_the_outputs_before_it(string format)
    {
        var data = Inputs();
        var output = Path.Combine(_dir, "scores");
        CliResult result;
        using (AtomicFile.Intercept((path, stream) => path.Contains(".part-1.", StringComparison.Ordinal) ? new FullDiskStream(stream, path, 4096) : stream))
        {
            result = await Stem.RunAsync("predict", "--model", trained.Artifact, "--input", data, "--output", output, "--format", format, "--quiet");
        }

        result.ExitCode.Should().Be(ExitCodes.Data, result.ToString());
        var target = Path.Combine(output, $"part-1.{format}");
        result.ErrorLine.Should().Match($"stem: error: {target}: could not write the output (No space left on device : '*{Path.DirectorySeparatorChar}.part-1.{format}.*.tmp'); the partial file was removed");
        Files(output).Should().Equal([$"part-0.{format}"], "the output completed before the failure stays; the failed one and its temporary file are gone, and scoring stopped");

        // The output that was completed is whole: a clean re-run of the same shard writes the same bytes.
        var again = Path.Combine(_dir, "again");
        await Stem.SucceedAsync("predict", "--model", trained.Artifact, "--input", data, "--output", again, "--format", format);
        File.ReadAllBytes(Path.Combine(output, $"part-0.{format}")).Should().Equal(File.ReadAllBytes(Path.Combine(again, $"part-0.{format}")));
    }

    [Fact]
    public async Task A_full_disk_while_a_single_output_file_is_written_leaves_nothing_and_names_the_file()
    {
        var input = Path.Combine(Inputs(), "part-0.csv");
        var output = Path.Combine(_dir, "out", "scores.csv");
        CliResult result;
        using (AtomicFile.Intercept((path, stream) => new FullDiskStream(stream, path, 1000)))
        {
            result = await Stem.RunAsync("predict", "--model", trained.Artifact, "--input", input, "--output", output);
        }

        result.ExitCode.Should().Be(ExitCodes.Data, result.ToString());
        result.ErrorLine.Should().StartWith($"stem: error: {output}: could not write the output (No space left on device").And.EndWith("; the partial file was removed");
        Files(Path.Combine(_dir, "out")).Should().BeEmpty();
    }

    [RealFullDiskFact]
    public async Task A_real_full_disk_removes_the_partial_output_and_names_the_file()
    {
        // 16 KiB of tmpfs for about 60 KB of scores: the kernel's ENOSPC, not an injected one.
        var data = Inputs();
        using var disk = SmallTmpfs.TryMount(16)!;
        var output = Path.Combine(disk.Directory, "scores");

        var result = await Stem.RunAsync("predict", "--model", trained.Artifact, "--input", data, "--output", output, "--format", "csv", "--quiet");

        result.ExitCode.Should().Be(ExitCodes.Data, result.ToString());
        result.ErrorLine.Should().Match($"stem: error: {output}{Path.DirectorySeparatorChar}part-*.csv: could not write the output (No space left on device*); the partial file was removed");
        Directory.EnumerateFiles(output, ".*.tmp", SearchOption.AllDirectories).Should().BeEmpty();
    }
}
