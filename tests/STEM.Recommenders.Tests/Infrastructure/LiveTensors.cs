using TorchSharp;

namespace STEM.Recommenders.Tests.Infrastructure;

/// <summary>Counts live tensor wrappers for leak tests.</summary>
internal static class LiveTensors
{
    /// <summary>
    /// The live count once garbage from earlier tests has been finalized. Without this a tensor an
    /// earlier test left to the finalizer can be freed mid-measurement and the count drops by one
    /// (seen in CI: expected 2525, found 2524).
    /// </summary>
    public static long Settled()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return torch.Tensor.TotalCount;
    }
}
