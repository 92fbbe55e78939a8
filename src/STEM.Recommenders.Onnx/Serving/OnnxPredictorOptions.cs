namespace STEM.Recommenders.Onnx.Serving;

/// <summary>How an <see cref="OnnxPredictor"/> runs: batching, threads and the execution provider.</summary>
public sealed record OnnxPredictorOptions
{
    /// <summary>Rows per inference call for large requests. Default 8192.</summary>
    public int BatchSize { get; init; } = 8192;

    /// <summary>Threads one operator may use (ONNX Runtime's intra-op pool); 0 lets ONNX Runtime choose (one per core). Default 0.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>Threads that run independent operators at once; 0 lets ONNX Runtime choose. Default 0 (the graph runs sequentially).</summary>
    public int InterOpThreads { get; init; }

    /// <summary>
    /// Run on a CUDA GPU of this index. Needs the Microsoft.ML.OnnxRuntime.Gpu package in place of
    /// Microsoft.ML.OnnxRuntime; <see langword="null"/> (the default) runs on the CPU.
    /// </summary>
    public int? CudaDevice { get; init; }
}
