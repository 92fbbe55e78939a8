using System.Text.Json.Serialization;
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
}
