using STEM.Recommenders.EncodedData;
using TorchSharp.Modules;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Models;

/// <summary>
/// STEM-Net (Su et al., AAAI 2024): shared and task-specific embeddings; per-task and shared experts;
/// All-Forward Task-specific-Backward gates; one tower per task. Task t's loss updates only task t's
/// embeddings and experts and the shared ones — at any depth with <see cref="StemIsolation.Strict"/>.
/// </summary>
public sealed class StemNet : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "stem-net";

    private readonly StemLayerStack net;

    /// <summary>Builds the model.</summary>
    public StemNet(FeatureLayout layout, IReadOnlyList<string> taskNames, StemNetOptions? options = null)
        : base(Name, layout, taskNames, options ??= new StemNetOptions())
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
            options.Layers,
            stopGradient: true,
            strictSharedGate: options.Isolation == StemIsolation.Strict,
            options.GateInput);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<int>? ExpertOwners => net.ExpertOwners;

    /// <inheritdoc />
    public override Parameter? LastSharedLayer => net.LastSharedLayer;

    /// <summary>The embeddings, expert layers, gates and towers (the step breakdown times them one by one).</summary>
    internal StemLayerStack Net => net;

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch) => net.forward(batch);
}
