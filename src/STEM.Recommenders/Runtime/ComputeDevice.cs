namespace STEM.Recommenders.Runtime;

/// <summary>Where tensors live and models run.</summary>
public enum ComputeDevice
{
    /// <summary>CUDA when a CUDA backend and a GPU are available, else CPU.</summary>
    Auto,

    /// <summary>The CPU.</summary>
    Cpu,

    /// <summary>The first CUDA GPU; an error when none can be used.</summary>
    Cuda,
}
