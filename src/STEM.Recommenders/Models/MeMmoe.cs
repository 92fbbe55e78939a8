using STEM.Recommenders.EncodedData;
using TorchSharp.Modules;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Models;

/// <summary>
/// ME-MMoE, the multi-embedding MMoE baseline of the STEM paper. The authors published no code for
/// it; this library defines it as STEM-Net's embeddings (T task views + shared), experts (task t's
/// specific experts read view t, shared experts the shared view) and gates (task t's gate reads view
/// t + shared and mixes every expert) with ordinary gates: nothing is detached. It isolates what
/// the AFTB stop-gradient adds over multiple embeddings alone.
/// </summary>
public sealed class MeMmoe : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "me-mmoe";

    private readonly StemLayerStack net;

    /// <summary>Builds the model.</summary>
    public MeMmoe(FeatureLayout layout, IReadOnlyList<string> taskNames, MeMmoeOptions? options = null)
        : base(Name, layout, taskNames, options ??= new MeMmoeOptions())
    {
        net = new StemLayerStack(
            layout,
            TaskCount,
            options,
            Mlp(options.ExpertUnits),
            Mlp(options.GateUnits),
            Mlp(options.TowerUnits),
            options.SharedExperts,
            options.SpecificExpertsPerTask,
            layers: 1,
            stopGradient: false,
            strictSharedGate: false,
            GateInput.TaskPlusShared);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<int>? ExpertOwners => net.ExpertOwners;

    /// <inheritdoc />
    public override Parameter? LastSharedLayer => net.LastSharedLayer;

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch) => net.forward(batch);
}
