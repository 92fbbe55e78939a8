using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// A multi-task model: ids in, one logit per task out. Models build layers and run forward; they
/// never read files or own the training loop (a trainer composes a model with
/// a loss weighting and an optimizer).
/// </summary>
public interface IMultiTaskModel : IDisposable
{
    /// <summary>The model's name in the catalog, e.g. "stem-net".</summary>
    string ModelName { get; }

    /// <summary>Task names, in output order.</summary>
    IReadOnlyList<string> TaskNames { get; }

    /// <summary>The encoded fields the model reads.</summary>
    FeatureLayout Layout { get; }

    /// <summary>The options the model was built with.</summary>
    ModelOptions Options { get; }

    /// <summary>The TorchSharp module (to save, load, move to a device, or switch train/eval).</summary>
    nn.Module TorchModule { get; }

    /// <summary>Computes logits [B, T].</summary>
    MultiTaskOutput Forward(FeatureBatch batch);

    /// <summary>The embedding banks (for row-sparse optimisation and embedding regularisation).</summary>
    IReadOnlyList<EmbeddingBank> EmbeddingBanks { get; }

    /// <summary>Every trainable parameter that is not an embedding table.</summary>
    IReadOnlyList<Parameter> DenseParameters();

    /// <summary>
    /// For gated models, the owner of each expert of the last gated layer (a task index, or -1 for
    /// a shared expert), matching <see cref="MultiTaskOutput.GateWeights"/>; else <see langword="null"/>.
    /// </summary>
    IReadOnlyList<int>? ExpertOwners { get; }

    /// <summary>
    /// The weight of the last layer that every task's loss reaches (GradNorm balances gradient norms
    /// there), or <see langword="null"/> when the tasks share no dense layer.
    /// </summary>
    Parameter? LastSharedLayer { get; }

    /// <summary>A model-specific extra loss (AITM's calibrator), or <see langword="null"/>.</summary>
    Tensor? AuxiliaryLoss(MultiTaskOutput output, Tensor labels, Tensor? labelMask);
}
