using BenchmarkDotNet.Running;

namespace STEM.Recommenders.Benchmarks;

/// <summary>Runs the BenchmarkDotNet micro-benchmarks; every argument except --threads goes to BenchmarkSwitcher.</summary>
internal static class MicroCommand
{
    /// <summary>Environment variable that carries --threads into BenchmarkDotNet's child processes.</summary>
    public const string ThreadsVariable = "STEM_BENCH_THREADS";

    public static int Run(string[] args)
    {
        var passThrough = new List<string>(args.Length);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--threads")
            {
                if (i + 1 >= args.Length || !int.TryParse(args[i + 1], System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var threads) || threads < 1)
                {
                    throw new ArgumentException("--threads needs a positive integer.");
                }

                Environment.SetEnvironmentVariable(ThreadsVariable, threads.ToString(System.Globalization.CultureInfo.InvariantCulture));
                i++;
            }
            else
            {
                passThrough.Add(args[i]);
            }
        }

        // A short job unless the caller chose one: a full run takes minutes, not hours.
        string[] jobOptions = ["--job", "-j", "--launchCount", "--warmupCount", "--iterationCount", "--runOncePerIteration", "--list", "--help", "--version", "--info"];
        if (!passThrough.Any(a => jobOptions.Contains(a, StringComparer.OrdinalIgnoreCase)))
        {
            string[] shortJob = ["--launchCount", "1", "--warmupCount", "1", "--iterationCount", "3"];
            Console.WriteLine($"micro: no job given; using {string.Join(' ', shortJob)} (pass --job dry|short|medium|... to choose another).");
            passThrough.InsertRange(0, shortJob);
        }

        var summaries = BenchmarkSwitcher.FromAssembly(typeof(MicroCommand).Assembly).Run([.. passThrough]);
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }
}
