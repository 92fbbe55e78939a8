using System.Text.Json.Serialization;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Runtime;

namespace STEM.Recommenders.Hosting;

/// <summary>Where training runs.</summary>
public sealed record RuntimeConfig
{
    /// <summary>cpu, cuda or auto. Default auto.</summary>
    [JsonConverter(typeof(JsonStringEnumConverter<ComputeDevice>))]
    public ComputeDevice Device { get; init; } = ComputeDevice.Auto;

    /// <summary>CPU threads; default LibTorch's.</summary>
    public int? Threads { get; init; }

    /// <summary>A PyTorch torch/lib directory to take LibTorch (and CUDA) from.</summary>
    public string? LibTorchDirectory { get; init; }

    /// <summary>
    /// Where the embedding tables and their optimizer state live: <see cref="TablePlacement.Device"/>
    /// (default: with the model) or <see cref="TablePlacement.Host"/> (host memory, with the dense part
    /// on <see cref="Device"/>; for tables larger than the GPU, see docs/scale-out.md).
    /// </summary>
    public TablePlacement TablePlacement { get; init; } = TablePlacement.Device;
}
