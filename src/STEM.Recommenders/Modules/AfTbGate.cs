using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// The All-Forward Task-specific-Backward gate of STEM-Net. Task t's gate mixes the outputs of
/// every expert — its own, the shared ones and the other tasks' — in the forward pass, but the
/// other tasks' expert outputs are detached, so task t's loss reaches only its own experts and
/// embeddings and the shared ones. An optional shared gate (between stacked layers) mixes experts
/// for the shared path.
/// </summary>
public sealed class AfTbGate : nn.Module<Tensor, Tensor, (Tensor Mixed, Tensor Weights)>
{
    private readonly StackedMlp gates;
    private readonly Tensor pass_gradient;
    private readonly GateInput _gateInput;

    /// <summary>Creates the gates.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="taskCount">T.</param>
    /// <param name="inputDim">Width of a view.</param>
    /// <param name="expertOwners">For each expert, the task that owns it, or -1 for a shared expert.</param>
    /// <param name="options">Gate MLP shape, e.g. [128, 64]; a linear layer to one logit per expert follows.</param>
    /// <param name="sharedGate">Whether to add the shared gate (needed when another layer follows).</param>
    /// <param name="gateInput">What the task gates read.</param>
    /// <param name="strictSharedGate">
    /// When true the shared gate detaches every task-specific expert, so isolation holds at any depth;
    /// when false it mixes everything undetached, as the authors' code does (which lets task u's
    /// gradient reach task t's experts once layers are stacked).
    /// </param>
    /// <param name="stopGradient">
    /// True for AFTB. False turns every gate into an ordinary mixture gate (nothing detached), which
    /// is how ME-MMoE uses it.
    /// </param>
    public AfTbGate(string name, int taskCount, int inputDim, IReadOnlyList<int> expertOwners, MlpOptions options, bool sharedGate, GateInput gateInput = GateInput.TaskPlusShared, bool strictSharedGate = true, bool stopGradient = true)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(expertOwners);
        if (expertOwners.Any(o => o < -1 || o >= taskCount))
        {
            throw new ArgumentException($"{name}: expert owners must be -1 (shared) or a task index below {taskCount}.", nameof(expertOwners));
        }

        TaskCount = taskCount;
        HasSharedGate = sharedGate;
        ExpertOwners = expertOwners;
        _gateInput = gateInput;
        var gateCount = taskCount + (sharedGate ? 1 : 0);
        gates = new StackedMlp("gates", gateCount, inputDim, options, expertOwners.Count);
        var mask = new float[gateCount, expertOwners.Count];
        for (var g = 0; g < gateCount; g++)
        {
            for (var e = 0; e < expertOwners.Count; e++)
            {
                var owner = expertOwners[e];
                var pass = !stopGradient || (g < taskCount ? owner == g || owner == -1 : !strictSharedGate || owner == -1);
                mask[g, e] = pass ? 1f : 0f;
            }
        }

        pass_gradient = tensor(mask);
        RegisterComponents();
    }

    /// <summary>T.</summary>
    public int TaskCount { get; }

    /// <summary>Whether the last output is the shared gate's.</summary>
    public bool HasSharedGate { get; }

    /// <summary>For each expert, its owning task or -1.</summary>
    public IReadOnlyList<int> ExpertOwners { get; }

    /// <summary>What the task gates read.</summary>
    public GateInput GateInput => _gateInput;

    /// <summary>The stacked gate MLPs (task gates, then the shared gate).</summary>
    public StackedMlp Gates => gates;

    /// <summary>[G, E] of 0/1: whether gate g passes the gradient to expert e (the step breakdown's copy of forward reads it).</summary>
    internal Tensor PassGradient => pass_gradient;

    /// <summary>Mixes the experts.</summary>
    /// <param name="views">[T+1, B, in]: task views then the shared view.</param>
    /// <param name="experts">[E, B, h] expert outputs.</param>
    /// <returns>Mixed [G, B, h] and gate weights [G, B, E], G = T (+1 with the shared gate).</returns>
    public override (Tensor Mixed, Tensor Weights) forward(Tensor views, Tensor experts)
    {
        ArgumentNullException.ThrowIfNull(views);
        ArgumentNullException.ThrowIfNull(experts);
        var t = TaskCount;
        var shared = views[t];
        var taskInputs = views.narrow(0, 0, t);
        if (_gateInput == GateInput.TaskPlusShared)
        {
            taskInputs = taskInputs + shared;
        }

        var inputs = HasSharedGate ? cat([taskInputs, shared.unsqueeze(0)], 0) : taskInputs;
        var weights = gates.forward(inputs).softmax(-1);
        return (ExpertMixture.Mix(weights, experts, pass_gradient), weights);
    }
}
