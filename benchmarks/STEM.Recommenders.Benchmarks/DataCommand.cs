using System.Diagnostics;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Runtime;

namespace STEM.Recommenders.Benchmarks;

internal sealed record DataCommandOptions(string LogPath, string UsersPath, string VideosPath, int Repeat, int? Threads, bool PrintLayout, string? ParquetDirectory)
{
    public static DataCommandOptions Parse(string[] args)
    {
        string? log = null, users = null, videos = null;
        var repeat = 5;
        int? threads = null;
        var printLayout = false;
        string? parquet = null;
        var line = new CommandLine(args);
        while (line.MoveNext())
        {
            switch (line.Current)
            {
                case "--log": log = line.Value(); break;
                case "--users": users = line.Value(); break;
                case "--videos": videos = line.Value(); break;
                case "--repeat": repeat = line.PositiveInt(); break;
                case "--threads": threads = line.PositiveInt(); break;
                case "--print-layout": printLayout = true; break;
                case "--parquet": parquet = line.Value(); break;
                default: throw line.Unknown();
            }
        }

        var shared = BenchEnvironment.SharedKuaiRandDirectory;
        return new DataCommandOptions(
            log ?? Path.Combine(shared, "log_20220425_20220501.csv.gz"),
            users ?? Path.Combine(shared, "user_features_pure.csv.gz"),
            videos ?? Path.Combine(shared, "video_features_basic_pure.csv.gz"),
            repeat,
            threads,
            printLayout,
            parquet);
    }
}

/// <summary>Data-path throughput: read + join + split (KuaiRandPreset.LoadAsync) and fit + encode (Encode()).</summary>
internal static class DataCommand
{
    private const double TargetRowsPerSecond = 100_000;

    public static async Task<int> RunAsync(DataCommandOptions options)
    {
        foreach (var path in new[] { options.LogPath, options.UsersPath, options.VideosPath })
        {
            if (!File.Exists(path))
            {
                throw new ArgumentException($"File not found: {path} (pass --log/--users/--videos).");
            }
        }

        TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu, Threads = options.Threads });
        var kuaiRand = new KuaiRandOptions { LogPath = options.LogPath, UserFeaturesPath = options.UsersPath, VideoFeaturesPath = options.VideosPath };
        var readers = TableReaderRegistry.CreateDefault().AddParquet();
        if (options.ParquetDirectory is { } parquet)
        {
            // The same data as typed Parquet: what the reader and pipeline cost without text to parse.
            kuaiRand = kuaiRand with
            {
                LogPath = await ParquetCopy.EnsureAsync(options.LogPath, parquet, "log").ConfigureAwait(false),
                UserFeaturesPath = await ParquetCopy.EnsureAsync(options.UsersPath, parquet, "users").ConfigureAwait(false),
                VideoFeaturesPath = await ParquetCopy.EnsureAsync(options.VideosPath, parquet, "videos").ConfigureAwait(false),
            };
        }

        Console.WriteLine("STEM.Recommenders data benchmark: KuaiRandPreset.LoadAsync (read, join, split) + PresetSplits.Encode() (fit, encode)");
        Console.WriteLine($"  machine: {BenchEnvironment.Describe()}; torch threads {TorchSharp.torch.get_num_threads()}");
        Console.WriteLine($"  log:    {kuaiRand.LogPath}");
        Console.WriteLine($"  users:  {kuaiRand.UserFeaturesPath}");
        Console.WriteLine($"  videos: {kuaiRand.VideoFeaturesPath}");

        // Warm-up: JIT, file cache, native runtime.
        var (rows, warmup, _) = await RunOnceAsync(kuaiRand, readers, options.PrintLayout).ConfigureAwait(false);
        Console.WriteLine($"  warm-up: {rows:N0} rows in {warmup.TotalMilliseconds:N0} ms");

        var times = new List<TimeSpan>(options.Repeat);
        var allocated = new List<long>(options.Repeat);
        for (var i = 0; i < options.Repeat; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var (_, elapsed, bytes) = await RunOnceAsync(kuaiRand, readers, printLayout: false).ConfigureAwait(false);
            times.Add(elapsed);
            allocated.Add(bytes);
            Console.WriteLine($"  run {i + 1}/{options.Repeat}: {elapsed.TotalMilliseconds:N0} ms, {rows / elapsed.TotalSeconds:N0} rows/s, GC allocated {BenchEnvironment.Mib(bytes)}");
        }

        var median = Median(times);
        var min = times.Min();
        var rate = rows / median.TotalSeconds;
        var (peak, source) = BenchEnvironment.PeakWorkingSet();
        Console.WriteLine();
        Console.WriteLine($"rows/s (median): {rate:N0}  ({rows:N0} rows / median {median.TotalMilliseconds:N0} ms; {options.Repeat} runs after 1 warm-up)");
        Console.WriteLine($"time: median {median.TotalMilliseconds:N0} ms, min {min.TotalMilliseconds:N0} ms (best {rows / min.TotalSeconds:N0} rows/s)");
        Console.WriteLine($"peak working set ({source}): {BenchEnvironment.Mib(peak)}");
        Console.WriteLine($"GC allocated per run: median {BenchEnvironment.Mib(Median(allocated))}; process total {BenchEnvironment.Mib(GC.GetTotalAllocatedBytes(precise: true))}");
        Console.WriteLine($"target: >= {TargetRowsPerSecond:N0} rows/s -> {(rate >= TargetRowsPerSecond ? "met" : "NOT met")}");
        if (options.Repeat < 3)
        {
            Console.WriteLine($"Only {options.Repeat} timed run(s): a smoke run, not a measurement (use the default 5 on a quiet machine).");
        }
        return 0;
    }

    private static async Task<(long Rows, TimeSpan Elapsed, long Allocated)> RunOnceAsync(KuaiRandOptions options, TableReaderRegistry readers, bool printLayout)
    {
        var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var splits = await KuaiRandPreset.LoadAsync(options, readers).ConfigureAwait(false);
        using var encoded = splits.Encode();
        clock.Stop();
        var allocated = GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore;
        if (printLayout)
        {
            PrintLayout(encoded);
        }

        return ((long)encoded.Train.Count + encoded.Validation.Count + encoded.Test.Count, clock.Elapsed, allocated);
    }

    private static void PrintLayout(EncodedSplits encoded)
    {
        var layout = encoded.Pipeline.Layout;
        Console.WriteLine($"  layout: {layout.FieldCount} fields, {layout.SlotCount} slots, {layout.TotalRows:N0} embedding rows; train {encoded.Train.Count:N0}, validation {encoded.Validation.Count:N0}, test {encoded.Test.Count:N0} rows");
        foreach (var field in layout.Fields)
        {
            Console.WriteLine($"    {field.Name,-24} rows {field.Rows,8:N0}  slots {field.SlotCount}");
        }
    }

    private static TimeSpan Median(List<TimeSpan> values) => TimeSpan.FromTicks(Median(values.Select(v => v.Ticks).ToList()));

    private static long Median(List<long> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }
}
