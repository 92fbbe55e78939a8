using System.Diagnostics;
using System.IO.Compression;
using System.Text;

namespace STEM.Recommenders.Benchmarks;

internal sealed record GrowCommandOptions(string Source, string Output, int Copies)
{
    public static GrowCommandOptions Parse(string[] args)
    {
        string? source = null, output = null;
        var copies = 87;
        var line = new CommandLine(args);
        while (line.MoveNext())
        {
            switch (line.Current)
            {
                case "--source": source = line.Value(); break;
                case "--output": output = line.Value(); break;
                case "--copies": copies = line.PositiveInt(); break;
                default: throw line.Unknown();
            }
        }

        return new GrowCommandOptions(source ?? BenchEnvironment.SharedKuaiRandDirectory, output ?? Path.Combine(BenchEnvironment.RepositoryRoot, "runs", "kuairand-10m"), copies);
    }
}

/// <summary>
/// Grows the KuaiRand-Pure week into a log of the same schema, <c>copies</c> times as long (87 copies:
/// 10.06 M rows). Copy c renames every user u to <c>u + c·U</c> and every video v to <c>v + c·V</c>
/// (U, V: one more than the largest id), in the log and in the side tables, so the user and video
/// vocabularies grow with the rows, as they do in a larger log; every other value is the original
/// text. Rows stay in time order: day by day, each day's rows of copy 0, then copy 1, and so on.
/// Nothing is random, so the output is the same on every machine.
/// </summary>
internal static class GrowCommand
{
    public static async Task<int> RunAsync(GrowCommandOptions options)
    {
        var log = Path.Combine(options.Source, "log_20220425_20220501.csv.gz");
        var users = Path.Combine(options.Source, "user_features_pure.csv.gz");
        var videos = Path.Combine(options.Source, "video_features_basic_pure.csv.gz");
        foreach (var path in new[] { log, users, videos })
        {
            if (!File.Exists(path))
            {
                throw new ArgumentException($"File not found: {path} (pass --source DIR with the KuaiRand-Pure week).");
            }
        }

        Directory.CreateDirectory(options.Output);
        var clock = Stopwatch.StartNew();
        var (logHeader, logLines) = await ReadLinesAsync(log).ConfigureAwait(false);
        var (userHeader, userLines) = await ReadLinesAsync(users).ConfigureAwait(false);
        var (videoHeader, videoLines) = await ReadLinesAsync(videos).ConfigureAwait(false);
        var userSpan = 1 + userLines.Max(l => long.Parse(Field(l, 0)));
        var videoSpan = 1 + videoLines.Max(l => long.Parse(Field(l, 0)));

        // Log columns: user_id, video_id, date, ...: group by date, keep the original order within a day.
        var days = logLines.GroupBy(l => Field(l, 2)).OrderBy(g => g.Key, StringComparer.Ordinal).ToArray();
        long rows = 0;
        await WriteAsync(Path.Combine(options.Output, "log.csv.gz"), logHeader, writer =>
        {
            foreach (var day in days)
            {
                for (var c = 0; c < options.Copies; c++)
                {
                    foreach (var line in day)
                    {
                        var first = line.IndexOf(',');
                        var second = line.IndexOf(',', first + 1);
                        writer.Write(long.Parse(line.AsSpan(0, first)) + (c * userSpan));
                        writer.Write(',');
                        writer.Write(long.Parse(line.AsSpan(first + 1, second - first - 1)) + (c * videoSpan));
                        writer.Write(line.AsSpan(second));
                        writer.Write('\n');
                        rows++;
                    }
                }
            }
        }).ConfigureAwait(false);
        await WriteAsync(Path.Combine(options.Output, "user_features.csv.gz"), userHeader, writer => Renamed(writer, userLines, options.Copies, userSpan)).ConfigureAwait(false);
        await WriteAsync(Path.Combine(options.Output, "video_features.csv.gz"), videoHeader, writer => Renamed(writer, videoLines, options.Copies, videoSpan)).ConfigureAwait(false);

        Console.WriteLine($"Grew {log} × {options.Copies}: {rows:N0} log rows, {userLines.Count * (long)options.Copies:N0} users, {videoLines.Count * (long)options.Copies:N0} videos in {clock.Elapsed.TotalSeconds:N1} s → {options.Output}");
        foreach (var file in Directory.GetFiles(options.Output, "*.csv.gz").Order(StringComparer.Ordinal))
        {
            Console.WriteLine($"  {Path.GetFileName(file)}: {BenchEnvironment.Mib(new FileInfo(file).Length)}");
        }

        return 0;
    }

    private static void Renamed(StreamWriter writer, List<string> lines, int copies, long span)
    {
        for (var c = 0; c < copies; c++)
        {
            foreach (var line in lines)
            {
                var first = line.IndexOf(',');
                writer.Write(long.Parse(line.AsSpan(0, first)) + (c * span));
                writer.Write(line.AsSpan(first));
                writer.Write('\n');
            }
        }
    }

    private static string Field(string line, int index)
    {
        var start = 0;
        for (var i = 0; i < index; i++)
        {
            start = line.IndexOf(',', start) + 1;
        }

        var end = line.IndexOf(',', start);
        return end < 0 ? line[start..] : line[start..end];
    }

    private static async Task<(string Header, List<string> Lines)> ReadLinesAsync(string path)
    {
        await using var file = File.OpenRead(path);
        await using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        var header = await reader.ReadLineAsync().ConfigureAwait(false) ?? throw new ArgumentException($"{path} is empty.");
        var lines = new List<string>();
        while (await reader.ReadLineAsync().ConfigureAwait(false) is { } line)
        {
            lines.Add(line);
        }

        return (header, lines);
    }

    /// <summary>Writes a gzip file in blocks, so the grown text is never held whole in memory.</summary>
    private static async Task WriteAsync(string path, string header, Action<StreamWriter> body)
    {
        await using var file = File.Create(path);
        await using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        await using var text = new StreamWriter(gzip, new UTF8Encoding(false), 1 << 20);
        await text.WriteAsync(header + "\n").ConfigureAwait(false);
        body(text);
    }
}
