using STEM.Recommenders.EncodedData;
using TorchSharp.Modules;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Models;

/// <summary>
/// ME-PLE, the multi-embedding PLE baseline of the STEM paper. The authors published no code for it;
/// this library defines it as PLE over STEM's embeddings: task t's experts and gate read task t's
/// embedding view, the shared experts read the shared view, and gates are PLE's (task t mixes its
/// own and the shared experts; nothing is detached).
/// </summary>
public sealed class MePle : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "me-ple";

    private readonly PleLevelStack net;

    /// <summary>Builds the model.</summary>
    public MePle(FeatureLayout layout, IReadOnlyList<string> taskNames, MePleOptions? options = null)
        : base(Name, layout, taskNames, options ??= new MePleOptions())
    {
        net = new PleLevelStack(layout, TaskCount, options, Mlp(options.ExpertUnits), Mlp(options.GateUnits), Mlp(options.TowerUnits), options.SharedExperts, options.SpecificExpertsPerTask, options.Levels, taskEmbeddings: true);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<int>? ExpertOwners => net.ExpertOwners;

    /// <inheritdoc />
    public override Parameter? LastSharedLayer => net.LastSharedLayer;

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch) => net.forward(batch);
}
