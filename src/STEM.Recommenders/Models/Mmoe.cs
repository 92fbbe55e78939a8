using STEM.Recommenders.EncodedData;
using TorchSharp.Modules;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// MMoE (Ma et al., KDD 2018): shared embedding, a pool of shared experts, one softmax gate per
/// task over all experts, one tower per task.
/// </summary>
public sealed class Mmoe : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "mmoe";

    private readonly EmbeddingBank embedding;
    private readonly ExpertPool experts;
    private readonly StackedMlp gates;
    private readonly TaskTower towers;

    /// <summary>Builds the model.</summary>
    public Mmoe(FeatureLayout layout, IReadOnlyList<string> taskNames, MmoeOptions? options = null)
        : base(Name, layout, taskNames, options ??= new MmoeOptions())
    {
        embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, 0, options.EmbeddingInitStd);
        experts = new ExpertPool("experts", options.Experts, embedding.ViewWidth, Mlp(options.ExpertUnits));
        gates = new StackedMlp("gates", TaskCount, embedding.ViewWidth, Mlp(options.GateUnits), options.Experts);
        towers = new TaskTower("towers", TaskCount, experts.OutputDim, Mlp(options.TowerUnits));
        ExpertOwners = Enumerable.Repeat(-1, options.Experts).ToArray();
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<int>? ExpertOwners { get; }

    /// <inheritdoc />
    public override Parameter? LastSharedLayer => experts.Experts.LastWeight;

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch)
    {
        var x = embedding.forward(batch)[0];
        var weights = gates.forward(x).softmax(-1);
        var mixed = ExpertMixture.Mix(weights, experts.forward(x));
        return new MultiTaskOutput(towers.forward(mixed)) { GateWeights = weights };
    }
}
