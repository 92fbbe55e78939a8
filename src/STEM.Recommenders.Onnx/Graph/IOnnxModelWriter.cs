using STEM.Recommenders.Models;

namespace STEM.Recommenders.Onnx.Graph;

/// <summary>
/// Writes how one model type wires its modules (what its forward does), from encoded ids to one
/// probability per task. The modules themselves are written by <see cref="OnnxGraph.Module"/>.
/// </summary>
public interface IOnnxModelWriter
{
    /// <summary>The model type written (exactly).</summary>
    Type ModelType { get; }

    /// <summary>Appends the model's inference graph.</summary>
    /// <param name="graph">The graph.</param>
    /// <param name="model">The model, of <see cref="ModelType"/>.</param>
    /// <param name="ids">int64 [B, S] global ids (the pipeline's encoding).</param>
    /// <param name="weights">float [B, S] slot weights, or <see langword="null"/> when the pipeline has none.</param>
    /// <returns>The name of the float [B, T] probabilities.</returns>
    string Write(OnnxGraph graph, IMultiTaskModel model, string ids, string? weights);
}
