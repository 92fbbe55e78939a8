using System.Runtime.InteropServices;
using STEM.Recommenders.Cli.Infrastructure;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>No user message carries LibTorch's native frames; --verbose shows the detail before the one line.</summary>
public sealed class NativeErrorTests
{
    private const string LibTorchMessage =
        "[enforce fail at alloc_cpu.cpp:116] data. DefaultCPUAllocator: not enough memory: you tried to allocate 35184372088832 bytes.\n" +
        "Exception raised from alloc_cpu at ../c10/core/impl/alloc_cpu.cpp:116 (most recent call first):\n" +
        "frame #0: c10::Error::Error(c10::SourceLocation, std::string) + 0x9c (0x7f in libc10.so)\n" +
        "frame #1: c10::alloc_cpu(unsigned long) + 0x3c1 (0x7f in libc10.so)\n";

    [Fact]
    public void A_native_exception_is_one_line_without_frames_and_exit_5()
    {
#pragma warning disable CA2201 // TorchSharp throws exactly this type for LibTorch errors.
        var (code, line) = ErrorReport.Describe(new ExternalException(LibTorchMessage));
#pragma warning restore CA2201

        code.Should().Be(5);
        line.Should().Be("stem: error: native error in LibTorch: [enforce fail at alloc_cpu.cpp:116] data. DefaultCPUAllocator: not enough memory: you tried to allocate 35184372088832 bytes (run with --verbose for LibTorch's detail)");
        line.Should().NotContain("frame #");
    }

    [Fact]
    public async Task Verbose_writes_the_detail_before_the_one_line_summary()
    {
        var quiet = await Stem.RunAsync("evaluate", "--model", "no-such-model", "--data", "x.csv");
        var verbose = await Stem.RunAsync("evaluate", "--model", "no-such-model", "--data", "x.csv", "--verbose");

        quiet.ErrorLines.Should().ContainSingle();
        verbose.ExitCode.Should().Be(quiet.ExitCode);
        verbose.ErrorLines.Length.Should().BeGreaterThan(1);
        verbose.Stderr.Should().Contain("Exception");
        verbose.ErrorLines[^1].Should().Be(quiet.ErrorLine);
    }
}
