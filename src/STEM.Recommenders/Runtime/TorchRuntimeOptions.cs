namespace STEM.Recommenders.Runtime;

/// <summary>How to start the native tensor runtime.</summary>
public sealed record TorchRuntimeOptions
{
    /// <summary>The device to use. Default <see cref="ComputeDevice.Auto"/>.</summary>
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>
    /// A directory holding LibTorch's shared libraries from an existing PyTorch installation
    /// (<c>.../site-packages/torch/lib</c>). When set (or when the <c>STEM_LIBTORCH_DIR</c> environment
    /// variable is), those libraries are loaded before TorchSharp initialises, which lets an app that
    /// references plain <c>TorchSharp</c> use CUDA through the PyTorch install.
    /// </summary>
    public string? LibTorchDirectory { get; init; }

    /// <summary>Intra-op CPU threads; <see langword="null"/> leaves LibTorch's default (all cores).</summary>
    public int? Threads { get; init; }
}
