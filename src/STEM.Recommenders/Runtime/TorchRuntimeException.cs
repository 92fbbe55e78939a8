namespace STEM.Recommenders.Runtime;

/// <summary>
/// The native LibTorch runtime could not be started. The message says what to reference or
/// install; the inner exception holds TorchSharp's own trace.
/// </summary>
public sealed class TorchRuntimeException : Exception
{
    /// <summary>Creates the exception.</summary>
    public TorchRuntimeException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
