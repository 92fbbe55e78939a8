using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// Shared and task-specific embeddings → layers of (task + shared experts, per-task gates over all
/// experts) → towers. With stop-gradient gates this is STEM-Net; without, ME-MMoE.
/// </summary>
internal sealed class StemLayerStack : nn.Module<FeatureBatch, MultiTaskOutput>
{
    private readonly EmbeddingBank embedding;
    private readonly ModuleList<ExpertPool> experts = new();
    private readonly ModuleList<AfTbGate> gates = new();
    private readonly TaskTower towers;

    public StemLayerStack(
        FeatureLayout layout,
        int taskCount,
        ModelOptions options,
        MlpOptions expert,
        MlpOptions gate,
        MlpOptions tower,
        int sharedExperts,
        int specificPerTask,
        int layers,
        bool stopGradient,
        bool strictSharedGate,
        GateInput gateInput)
        : base("net")
    {
        embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, taskCount, options.EmbeddingInitStd);
        var (owners, views) = ExpertAssignment.For(taskCount, specificPerTask, sharedExperts);
        ExpertOwners = owners;
        var width = embedding.ViewWidth;
        for (var l = 0; l < layers; l++)
        {
            experts.Add(new ExpertPool($"experts{l}", owners.Length, width, expert, views));
            gates.Add(new AfTbGate($"gates{l}", taskCount, width, owners, gate, sharedGate: l < layers - 1, gateInput, strictSharedGate, stopGradient));
            width = expert.HiddenUnits[^1];
        }

        towers = new TaskTower("towers", taskCount, width, tower);
        RegisterComponents();
    }

    public IReadOnlyList<int> ExpertOwners { get; }

    public Parameter LastSharedLayer => experts[experts.Count - 1].Experts.LastWeight;

    // The parts, for the step breakdown's timed copy of forward (Training/StemStepBreakdown).
    internal EmbeddingBank Embedding => embedding;

    internal IReadOnlyList<ExpertPool> ExpertLayers => experts.ToArray();

    internal IReadOnlyList<AfTbGate> GateLayers => gates.ToArray();

    internal TaskTower Towers => towers;

    public override MultiTaskOutput forward(FeatureBatch batch)
    {
        var views = embedding.forward(batch);
        Tensor? weights = null;
        for (var l = 0; l < experts.Count; l++)
        {
            var outputs = experts[l].forward(views);
            (views, weights) = gates[l].forward(views, outputs);
        }

        return new MultiTaskOutput(towers.forward(views)) { GateWeights = weights };
    }
}
