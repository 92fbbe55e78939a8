using System.Diagnostics;
using STEM.Recommenders.Data;
using STEM.Recommenders.Data.Presets;

namespace STEM.Recommenders.Benchmarks;

/// <summary><c>read</c>: the CSV reader alone — stream a log in chunks with the KuaiRand preset's columns, nothing else.</summary>
internal static class ReadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var path = args.Length > 0 ? args[0] : Path.Combine(BenchEnvironment.RepositoryRoot, "runs", "kuairand-10m", "log.csv.gz");
        var columns = KuaiRandPreset.LogFeatureColumns.Concat(["is_click", "long_view", "is_like", "date"]).ToArray();
        Console.WriteLine($"STEM.Recommenders read benchmark: CsvTableReader.ReadChunksAsync over {path}, {columns.Length} of its columns kept");
        Console.WriteLine($"  machine: {BenchEnvironment.Describe()}");
        var clock = Stopwatch.StartNew();
        long rows = 0;
        await foreach (var chunk in TableReaderRegistry.CreateDefault().ReadChunksAsync(path, new TableReadRequest(columns)).ConfigureAwait(false))
        {
            rows += chunk.RowCount;
        }

        Console.WriteLine($"  {rows:N0} rows in {clock.Elapsed.TotalSeconds:N1} s = {rows / clock.Elapsed.TotalSeconds:N0} rows/s; peak RSS {BenchEnvironment.Mib(BenchEnvironment.PeakWorkingSet().Bytes)}");
        return 0;
    }
}
