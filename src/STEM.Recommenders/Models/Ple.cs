using STEM.Recommenders.EncodedData;
using TorchSharp.Modules;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Models;

/// <summary>
/// PLE (Tang et al., RecSys 2020): stacked CGC levels of task-specific and shared experts; task t's
/// gate mixes its own and the shared experts; between levels a shared gate mixes all experts.
/// </summary>
public sealed class Ple : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "ple";

    private readonly PleLevelStack net;

    /// <summary>Builds the model.</summary>
    public Ple(FeatureLayout layout, IReadOnlyList<string> taskNames, PleOptions? options = null)
        : base(Name, layout, taskNames, options ??= new PleOptions())
    {
        net = new PleLevelStack(layout, TaskCount, options, Mlp(options.ExpertUnits), Mlp(options.GateUnits), Mlp(options.TowerUnits), options.SharedExperts, options.SpecificExpertsPerTask, options.Levels, taskEmbeddings: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<int>? ExpertOwners => net.ExpertOwners;

    /// <inheritdoc />
    public override Parameter? LastSharedLayer => net.LastSharedLayer;

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch) => net.forward(batch);
}
