using System.Globalization;
using STEM.Recommenders.Runtime;

namespace STEM.Recommenders.Benchmarks.Micro;

/// <summary>What every micro-benchmark's [GlobalSetup] does first (it may run in a child process).</summary>
internal static class MicroSetup
{
    /// <summary>Rows per batch, as in training.</summary>
    public const int BatchSize = 4096;

    /// <summary>Starts the CPU runtime with the thread count carried in by <c>micro --threads N</c>.</summary>
    public static void InitializeTorch()
    {
        var text = Environment.GetEnvironmentVariable(MicroCommand.ThreadsVariable);
        int? threads = int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= 1 ? n : null;
        TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu, Threads = threads });
    }
}
