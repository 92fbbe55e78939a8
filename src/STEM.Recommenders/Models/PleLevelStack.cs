using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// PLE's customised gate control (CGC) levels. Task t's gate mixes its own and the shared experts;
/// at every level but the last, a shared gate mixes all experts for the next level's shared path
/// (the original paper's semantics). With task embeddings, task experts and gates read their task's
/// embedding view (ME-PLE); without, every path starts from one shared embedding (PLE).
/// </summary>
internal sealed class PleLevelStack : nn.Module<FeatureBatch, MultiTaskOutput>
{
    private readonly EmbeddingBank embedding;
    private readonly ModuleList<ExpertPool> experts = new();
    private readonly ModuleList<StackedMlp> task_gates = new();
    private readonly ModuleList<StackedMlp> shared_gates = new();
    private readonly TaskTower towers;
    private readonly Tensor selection;
    private readonly int _taskCount;
    private readonly int _expertCount;

    public PleLevelStack(FeatureLayout layout, int taskCount, ModelOptions options, MlpOptions expert, MlpOptions gate, MlpOptions tower, int sharedExperts, int specificPerTask, int levels, bool taskEmbeddings)
        : base("net")
    {
        _taskCount = taskCount;
        embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, taskEmbeddings ? taskCount : 0, options.EmbeddingInitStd);
        var (owners, views) = ExpertAssignment.For(taskCount, specificPerTask, sharedExperts);
        ExpertOwners = owners;
        _expertCount = owners.Length;

        // Task t's gate chooses among its own experts then the shared ones (the assignment's order).
        var chosen = new long[taskCount, specificPerTask + sharedExperts];
        for (var t = 0; t < taskCount; t++)
        {
            var own = Enumerable.Range(0, owners.Length).Where(e => owners[e] == t || owners[e] == -1).ToArray();
            for (var j = 0; j < own.Length; j++)
            {
                chosen[t, j] = own[j];
            }
        }

        selection = tensor(chosen);
        var width = embedding.ViewWidth;
        for (var l = 0; l < levels; l++)
        {
            experts.Add(new ExpertPool($"experts{l}", _expertCount, width, expert, views));
            task_gates.Add(new StackedMlp($"task_gates{l}", taskCount, width, gate, specificPerTask + sharedExperts));
            if (l < levels - 1)
            {
                shared_gates.Add(new StackedMlp($"shared_gate{l}", 1, width, gate, _expertCount));
            }

            width = expert.HiddenUnits[^1];
        }

        towers = new TaskTower("towers", taskCount, width, tower);
        RegisterComponents();
    }

    public IReadOnlyList<int> ExpertOwners { get; }

    public Parameter LastSharedLayer => experts[experts.Count - 1].Experts.LastWeight;

    public override MultiTaskOutput forward(FeatureBatch batch)
    {
        var t = _taskCount;
        var views = embedding.forward(batch);
        if (views.shape[0] == 1)
        {
            views = views.expand(t + 1, -1, -1);
        }

        Tensor? weights = null;
        for (var l = 0; l < experts.Count; l++)
        {
            var outputs = experts[l].forward(views);
            var taskWeights = task_gates[l].forward(views.narrow(0, 0, t)).softmax(-1);
            var b = taskWeights.shape[1];
            var index = selection.unsqueeze(1).expand(t, b, selection.shape[1]);
            weights = zeros(t, b, _expertCount, dtype: taskWeights.dtype, device: taskWeights.device).scatter(2, index, taskWeights);
            var mixed = ExpertMixture.Mix(weights, outputs);
            if (l < shared_gates.Count)
            {
                var sharedWeights = shared_gates[l].forward(views[t]).softmax(-1);
                mixed = cat([mixed, ExpertMixture.Mix(sharedWeights, outputs)], 0);
            }

            views = mixed;
        }

        return new MultiTaskOutput(towers.forward(views)) { GateWeights = weights };
    }
}
