namespace STEM.Recommenders.Benchmarks;

/// <summary>The CPU's instruction-set flags that decide LibTorch's GEMM kernels (from /proc/cpuinfo on Linux).</summary>
internal static class CpuFeatures
{
    /// <summary>The flags that matter for float32 and bfloat16 products, in order.</summary>
    public static readonly string[] Relevant =
    [
        "sse4_2", "avx", "avx2", "fma", "f16c",
        "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16",
        "amx_tile", "amx_bf16", "amx_int8", "amx_fp16",
    ];

    /// <summary>"present: ...; absent: ..." for <see cref="Relevant"/>, or a note where the flags cannot be read.</summary>
    public static string Describe()
    {
        var flags = Read();
        if (flags is null)
        {
            return "CPU flags not readable here (no /proc/cpuinfo)";
        }

        var present = Relevant.Where(flags.Contains).ToArray();
        var absent = Relevant.Where(f => !flags.Contains(f)).ToArray();
        return $"flags present: {string.Join(' ', present)}; absent: {(absent.Length == 0 ? "none" : string.Join(' ', absent))}";
    }

    /// <summary>Whether the CPU has native bfloat16 arithmetic (AVX512-BF16 or AMX-BF16).</summary>
    public static bool HasNativeBFloat16() => Read() is { } flags && (flags.Contains("avx512_bf16") || flags.Contains("amx_bf16"));

    private static HashSet<string>? Read()
    {
        try
        {
            if (!File.Exists("/proc/cpuinfo"))
            {
                return null;
            }

            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("flags", StringComparison.Ordinal));
            return line is null ? null : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
