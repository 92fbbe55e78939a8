using System.Diagnostics;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Runtime;

namespace STEM.Recommenders.Benchmarks;

internal sealed record CacheCommandOptions(string DataDirectory, string Cache, int ChunkRows, int? Threads)
{
    public static CacheCommandOptions Parse(string[] args)
    {
        string? data = null, cache = null;
        var chunk = 1 << 16;
        int? threads = null;
        var line = new CommandLine(args);
        while (line.MoveNext())
        {
            switch (line.Current)
            {
                case "--data": data = line.Value(); break;
                case "--cache": cache = line.Value(); break;
                case "--chunk-rows": chunk = line.PositiveInt(); break;
                case "--threads": threads = line.PositiveInt(); break;
                default: throw line.Unknown();
            }
        }

        data ??= Path.Combine(BenchEnvironment.RepositoryRoot, "runs", "kuairand-10m");
        return new CacheCommandOptions(data, cache ?? Path.Combine(data, "cache"), chunk, threads);
    }
}

/// <summary>
/// Cache build: KuaiRandPreset.StreamAsync + StreamingSplits.BuildCacheAsync on a (grown) KuaiRand
/// directory — pass 1 fits the pipeline on the streamed training days, pass 2 encodes all three
/// splits into shards. Prints rows/s (rows of the log per second of both passes), peak RSS and bytes per row.
/// </summary>
internal static class CacheCommand
{
    public static async Task<int> RunAsync(CacheCommandOptions options)
    {
        TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu, Threads = options.Threads });
        var kuaiRand = new KuaiRandOptions
        {
            LogPath = BenchEnvironment.Find(options.DataDirectory, "log"),
            UserFeaturesPath = BenchEnvironment.Find(options.DataDirectory, "user"),
            VideoFeaturesPath = BenchEnvironment.Find(options.DataDirectory, "video"),
        };
        Console.WriteLine("STEM.Recommenders cache benchmark: KuaiRandPreset.StreamAsync + StreamingSplits.BuildCacheAsync (fit pass + encode pass)");
        Console.WriteLine($"  machine: {BenchEnvironment.Describe()}");
        Console.WriteLine($"  data: {options.DataDirectory}; chunk {options.ChunkRows:N0} rows; cache {options.Cache}");
        if (Directory.Exists(options.Cache))
        {
            Directory.Delete(options.Cache, recursive: true);
        }

        var clock = Stopwatch.StartNew();
        var streaming = await KuaiRandPreset.StreamAsync(kuaiRand, chunkRows: options.ChunkRows).ConfigureAwait(false);
        var sideTables = clock.Elapsed;
        var (afterSides, _) = BenchEnvironment.PeakWorkingSet();
        var progress = new Progress(clock);
        using var cached = await streaming.BuildCacheAsync(options.Cache, options.ChunkRows, progress).ConfigureAwait(false);
        var total = clock.Elapsed;
        var (peak, source) = BenchEnvironment.PeakWorkingSet();
        var rows = cached.Train.RowCount + cached.Validation.RowCount + cached.Test.RowCount;
        var logRows = rows; // every log row lands in exactly one split here (the week's days are all assigned)
        var build = cached.FitTime + cached.EncodeTime;
        var disk = Directory.GetFiles(options.Cache, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        var manifest = cached.Train.Manifest;
        Console.WriteLine();
        Console.WriteLine($"  side tables read and indexed: {sideTables.TotalSeconds:N1} s (peak RSS so far {BenchEnvironment.Mib(afterSides)})");
        Console.WriteLine($"  pass 1 (fit on {cached.Train.RowCount:N0} training rows): {cached.FitTime.TotalSeconds:N1} s");
        Console.WriteLine($"  pass 2 (encode {rows:N0} rows into train {cached.Train.RowCount:N0} / validation {cached.Validation.RowCount:N0} / test {cached.Test.RowCount:N0}): {cached.EncodeTime.TotalSeconds:N1} s, {rows / cached.EncodeTime.TotalSeconds:N0} rows/s");
        Console.WriteLine($"  cache build (both passes): {build.TotalSeconds:N1} s = {logRows / build.TotalSeconds:N0} log rows/s; with side tables {total.TotalSeconds:N1} s = {logRows / total.TotalSeconds:N0} rows/s");
        Console.WriteLine($"  layout: {cached.Pipeline.Layout.FieldCount} fields, {cached.Pipeline.Layout.SlotCount} slots, {cached.Pipeline.Layout.TotalRows:N0} embedding rows; {manifest.Shards.Count} training shards");
        Console.WriteLine($"  encoded bytes per row: {manifest.BytesPerRow} (ids {manifest.Fields.Sum(f => f.SlotCount) * manifest.IdBytes}, weights {manifest.WeightSlots.Count * 4}, labels {manifest.TaskNames.Count}, masks {manifest.TaskNames.Count}, groups {(manifest.HasGroups ? 4 : 0)}); cache on disk {BenchEnvironment.Mib(disk)} = {disk / (double)rows:N0} bytes/row");
        Console.WriteLine($"  peak RSS: {BenchEnvironment.Mib(peak)} ({source})");
        return 0;
    }

    private sealed class Progress(Stopwatch clock) : IProgress<CacheBuildProgress>
    {
        private TimeSpan _last;

        public void Report(CacheBuildProgress value)
        {
            if (clock.Elapsed - _last > TimeSpan.FromSeconds(10))
            {
                _last = clock.Elapsed;
                Console.WriteLine($"  ... {value.Rows:N0} rows encoded, {clock.Elapsed.TotalSeconds:N0} s");
            }
        }
    }
}
