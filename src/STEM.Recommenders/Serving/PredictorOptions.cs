namespace STEM.Recommenders.Serving;

/// <summary>How a <see cref="Predictor"/> scores.</summary>
public sealed record PredictorOptions
{
    /// <summary>Rows per inference batch on the CPU when <see cref="BatchSize"/> is not set.</summary>
    /// <remarks>
    /// A batch's activations (eleven experts' [rows, 512] float32 outputs for a paper-size STEM-Net)
    /// then stay in cache: on a 2-core AMD EPYC (Zen 4), 8,192-row requests scored at 6,373–6,652
    /// rows/s in 512-row batches against 4,432–4,757 in one 8,192-row batch (docs/performance.md).
    /// </remarks>
    public const int CpuBatchSize = 512;

    /// <summary>Rows per inference batch on a GPU when <see cref="BatchSize"/> is not set: large batches keep a GPU busy.</summary>
    public const int GpuBatchSize = 8192;

    /// <summary>
    /// Rows per inference batch for large requests (a request of more rows is scored batch after
    /// batch); <see langword="null"/>, the default, takes <see cref="CpuBatchSize"/> on the CPU and
    /// <see cref="GpuBatchSize"/> on a GPU.
    /// </summary>
    public int? BatchSize { get; init; }
}
