using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace STEM.Recommenders.Benchmarks;

/// <summary>Repository paths and process memory readings.</summary>
internal static class BenchEnvironment
{
    /// <summary>The directory holding STEM.Recommenders.sln, found by walking up from the working directory and then from the executable.</summary>
    public static string RepositoryRoot => FindRepositoryRoot();

    /// <summary>The shared KuaiRand-Pure directory: ../shared/data/kuairand-pure relative to the repository root.</summary>
    public static string SharedKuaiRandDirectory => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "data", "kuairand-pure"));

    /// <summary>The bundled 20k-row sample.</summary>
    public static string SampleKuaiRandDirectory => Path.Combine(RepositoryRoot, "samples", "data", "kuairand-sample");

    /// <summary>The first file in a directory whose name starts with the prefix and contains ".csv".</summary>
    public static string Find(string directory, string prefix) =>
        Directory.Exists(directory)
            ? Directory.EnumerateFiles(directory, $"{prefix}*.csv*").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault()
              ?? throw new FileNotFoundException($"No {prefix}*.csv[.gz] file in {directory}.")
            : throw new DirectoryNotFoundException($"Data directory {directory} does not exist.");

    /// <summary>
    /// The process's peak resident set in bytes: VmHWM from /proc/self/status on Linux, else the
    /// current working set (a lower bound of the peak).
    /// </summary>
    public static (long Bytes, string Source) PeakWorkingSet()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            try
            {
                foreach (var line in File.ReadLines("/proc/self/status"))
                {
                    if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                    {
                        var kb = long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                        return (kb * 1024, "VmHWM");
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        if (OperatingSystem.IsWindows())
        {
            using var process = Process.GetCurrentProcess();
            return (process.PeakWorkingSet64, "PeakWorkingSet64");
        }

        return (System.Environment.WorkingSet, "WorkingSet (current, not peak)");
    }

    /// <summary>
    /// Resets the peak resident set (Linux: writing 5 to /proc/self/clear_refs), so that the next
    /// reading covers only what follows. Returns false where the kernel does not allow it.
    /// </summary>
    public static bool TryResetPeakWorkingSet()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return false;
        }

        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static string Mib(long bytes) => $"{bytes / (1024.0 * 1024.0):N1} MiB";

    public static string Describe() =>
        $"{CpuModel()}, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.ProcessArchitecture}, {System.Environment.ProcessorCount} logical cores, .NET {System.Environment.Version}";

    /// <summary>The CPU model ("model name" in /proc/cpuinfo on Linux), or the architecture where it cannot be read.</summary>
    public static string CpuModel()
    {
        try
        {
            if (File.Exists("/proc/cpuinfo"))
            {
                foreach (var line in File.ReadLines("/proc/cpuinfo"))
                {
                    if (line.StartsWith("model name", StringComparison.Ordinal) && line.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0)
                    {
                        return line[(colon + 1)..].Trim();
                    }
                }
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return $"unknown {RuntimeInformation.ProcessArchitecture} CPU";
    }

    private static string FindRepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "STEM.Recommenders.sln")))
                {
                    return directory.FullName;
                }
            }
        }

        throw new DirectoryNotFoundException("STEM.Recommenders.sln was not found above the working directory or the executable; run from inside the repository.");
    }

    /// <summary>A rough dense float32 GEMM rate of this machine at the current thread count, for scale.</summary>
    public static double GemmGflops()
    {
        const int n = 1024;
        using var scope = TorchSharp.torch.NewDisposeScope();
        var a = TorchSharp.torch.randn(n, n);
        var b = TorchSharp.torch.randn(n, n);
        for (var i = 0; i < 3; i++)
        {
            TorchSharp.torch.matmul(a, b).Dispose();
        }

        // The best of 5 rounds of 10 products: one hiccup of this VM (another process, a page
        // fault) would otherwise set the peak that every fraction is taken of.
        const int runs = 10;
        var best = double.MaxValue;
        for (var round = 0; round < 5; round++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            for (var i = 0; i < runs; i++)
            {
                TorchSharp.torch.matmul(a, b).Dispose();
            }

            best = Math.Min(best, clock.Elapsed.TotalSeconds);
        }

        return 2.0 * n * n * n * runs / best / 1e9;
    }
}
