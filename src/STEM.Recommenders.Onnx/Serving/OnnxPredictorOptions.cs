namespace STEM.Recommenders.Onnx.Serving;

/// <summary>How an <see cref="OnnxPredictor"/> runs: batching, threads and the execution provider.</summary>
public sealed record OnnxPredictorOptions
{
    /// <summary>Rows per inference call on the CPU when <see cref="BatchSize"/> is not set.</summary>
    /// <remarks>
    /// On a 2-core AMD EPYC (Zen 4), an 8,192-row request of paper-size STEM-Net scored at 7,566
    /// rows/s in 1,024-row calls (7,095–7,566 from 256 to 4,096 rows) against 5,412 in one
    /// 8,192-row call (docs/performance.md): a call's activations then stay in cache.
    /// </remarks>
    public const int CpuBatchSize = 1024;

    /// <summary>Rows per inference call on a GPU (<see cref="CudaDevice"/> set) when <see cref="BatchSize"/> is not set.</summary>
    public const int GpuBatchSize = 8192;

    /// <summary>
    /// Rows per inference call for large requests (a request of more rows is scored call after
    /// call); <see langword="null"/>, the default, takes <see cref="CpuBatchSize"/> on the CPU and
    /// <see cref="GpuBatchSize"/> on a GPU.
    /// </summary>
    public int? BatchSize { get; init; }

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
