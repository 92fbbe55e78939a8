using STEM.Recommenders.EncodedData;
using TorchSharp.Modules;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>OMoE: a pool of shared experts mixed by one gate shared by every task, then one tower per task.</summary>
public sealed class Omoe : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "omoe";

    private readonly EmbeddingBank embedding;
    private readonly ExpertPool experts;
    private readonly StackedMlp gate;
    private readonly TaskTower towers;

    /// <summary>Builds the model.</summary>
    public Omoe(FeatureLayout layout, IReadOnlyList<string> taskNames, OmoeOptions? options = null)
        : base(Name, layout, taskNames, options ??= new OmoeOptions())
    {
        embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, 0, options.EmbeddingInitStd);
        experts = new ExpertPool("experts", options.Experts, embedding.ViewWidth, Mlp(options.ExpertUnits));
        gate = new StackedMlp("gate", 1, embedding.ViewWidth, Mlp(options.GateUnits), options.Experts);
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
        var weights = gate.forward(x).softmax(-1);
        var mixed = ExpertMixture.Mix(weights, experts.forward(x))[0];

        // Every task reads the one mixture; report the shared gate once per task for diagnostics.
        return new MultiTaskOutput(towers.forward(mixed)) { GateWeights = weights.expand(TaskCount, -1, -1) };
    }
}
