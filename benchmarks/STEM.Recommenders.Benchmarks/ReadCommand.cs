using System.Diagnostics;
using nietras.SeparatedValues;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Benchmarks;

/// <summary>
/// <c>read [DIR] [--stage sep|read|side|split|fit|encode]</c>: the streamed KuaiRand data path cut at a stage —
/// Sep alone (the SIMD CSV library, same columns as strings), the CSV reader alone, then with joins and the day split, then with the fit, then with encoding
/// (nothing written) — so the cost of each stage is the difference of two runs.
/// </summary>
internal static class ReadCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var directory = Path.Combine(BenchEnvironment.RepositoryRoot, "runs", "kuairand-10m");
        var stage = "read";
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--stage")
            {
                stage = args[++i];
            }
            else
            {
                directory = args[i];
            }
        }

        if (stage is not ("sep" or "read" or "side" or "split" or "fit" or "encode"))
        {
            throw new ArgumentException($"--stage takes sep, read, side, split, fit or encode, not '{stage}'.");
        }

        var options = new KuaiRandOptions
        {
            LogPath = BenchEnvironment.Find(directory, "log"),
            UserFeaturesPath = BenchEnvironment.Find(directory, "user"),
            VideoFeaturesPath = BenchEnvironment.Find(directory, "video"),
        };
        Console.WriteLine($"STEM.Recommenders read benchmark: the streamed KuaiRand path up to stage '{stage}' over {directory}");
        Console.WriteLine($"  machine: {BenchEnvironment.Describe()}");
        var streaming = await KuaiRandPreset.StreamAsync(options).ConfigureAwait(false);
        FeaturePipeline? pipeline = stage == "encode" ? await FeaturePipeline.FitAsync(streaming.Schema, Train(streaming)).ConfigureAwait(false) : null;
        var clock = Stopwatch.StartNew();
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        long rows = 0;
        if (stage == "sep")
        {
            // Sep (SIMD) over the same gzip stream, keeping the same columns as strings: what the
            // hand-written reader is measured against (issue 9). Line numbers are not tracked here.
            var columns = KuaiRandPreset.LogFeatureColumns.Concat(options.Tasks).Append("date").ToArray();
            await using var file = File.OpenRead(options.LogPath);
            await using var gzip = new System.IO.Compression.GZipStream(file, System.IO.Compression.CompressionMode.Decompress);
            using var reader = Sep.Reader(o => o with { Unescape = true }).From(gzip);
            var keep = columns.Select(c => reader.Header.IndexOf(c)).ToArray();
            var values = keep.Select(_ => new List<string?>(1 << 16)).ToArray();
            foreach (var row in reader)
            {
                for (var k = 0; k < keep.Length; k++)
                {
                    var span = row[keep[k]].Span;
                    values[k].Add(span.IsEmpty ? null : new string(span));
                }

                if (++rows % (1 << 16) == 0)
                {
                    foreach (var list in values)
                    {
                        list.Clear();
                    }
                }
            }
        }
        else if (stage == "read")
        {
            var columns = KuaiRandPreset.LogFeatureColumns.Concat(options.Tasks).Append("date").ToArray();
            await foreach (var chunk in TableReaderRegistry.CreateDefault().ReadChunksAsync(options.LogPath, new TableReadRequest(columns)).ConfigureAwait(false))
            {
                rows += chunk.RowCount;
            }
        }
        else if (stage == "side")
        {
            // The side tables alone, read and indexed as a pass does (each on its own thread).
            var readers = TableReaderRegistry.CreateDefault();
            var users = Task.Run(() => readers.ReadAsync(options.UserFeaturesPath!, new TableReadRequest(["user_id", .. KuaiRandPreset.UserColumns])));
            var videos = Task.Run(() => readers.ReadAsync(options.VideoFeaturesPath!, new TableReadRequest(["video_id", .. KuaiRandPreset.VideoColumns])));
            var userTable = await users.ConfigureAwait(false);
            var videoTable = await videos.ConfigureAwait(false);
            Console.WriteLine($"  read: {clock.Elapsed.TotalSeconds:N1} s");
            _ = userTable.IndexBy("user_id");
            _ = videoTable.IndexBy("video_id");
            rows = userTable.RowCount + videoTable.RowCount;
        }
        else if (stage == "fit")
        {
            async IAsyncEnumerable<DataTable> CountedTrain()
            {
                await foreach (var chunk in streaming.ReadAsync().ConfigureAwait(false))
                {
                    rows += chunk.Train.RowCount + chunk.Validation.RowCount + chunk.Test.RowCount;
                    yield return chunk.Train;
                }
            }

            _ = await FeaturePipeline.FitAsync(streaming.Schema, CountedTrain()).ConfigureAwait(false);
        }
        else
        {
            await foreach (var chunk in streaming.ReadAsync().ConfigureAwait(false))
            {
                rows += chunk.Train.RowCount + chunk.Validation.RowCount + chunk.Test.RowCount;
                if (pipeline is not null)
                {
                    using var scope = TorchSharp.torch.NewDisposeScope();
                    _ = pipeline.Encode(chunk.Train);
                    _ = pipeline.Encode(chunk.Validation);
                    _ = pipeline.Encode(chunk.Test);
                }
            }
        }

        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"  {rows:N0} rows in {clock.Elapsed.TotalSeconds:N1} s = {rows / clock.Elapsed.TotalSeconds:N0} rows/s; CPU {used.TotalSeconds:N1} s = {used.TotalMicroseconds / rows:N2} µs/row; peak RSS {BenchEnvironment.Mib(BenchEnvironment.PeakWorkingSet().Bytes)}");
        return 0;
    }

    private static async IAsyncEnumerable<DataTable> Train(StreamingSplits streaming)
    {
        await foreach (var chunk in streaming.ReadAsync().ConfigureAwait(false))
        {
            yield return chunk.Train;
        }
    }
}
