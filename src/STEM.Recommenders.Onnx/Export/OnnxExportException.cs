namespace STEM.Recommenders.Onnx;

/// <summary>A model or pipeline cannot be exported to ONNX; the message names the model and the module, feature or file at fault.</summary>
public sealed class OnnxExportException : Exception
{
    /// <summary>Creates the exception.</summary>
    public OnnxExportException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public OnnxExportException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and its cause.</summary>
    public OnnxExportException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
