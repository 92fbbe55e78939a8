using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// One tower per task, MLP to one logit, all towers evaluated as one batched operation.
/// </summary>
public sealed class TaskTower : nn.Module<Tensor, Tensor>
{
    private readonly StackedMlp towers;

    /// <summary>Creates T towers.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="taskCount">T.</param>
    /// <param name="inputDim">Width of each task's input.</param>
    /// <param name="options">Tower MLP shape, e.g. [128, 64]; a linear layer to one logit follows.</param>
    public TaskTower(string name, int taskCount, int inputDim, MlpOptions options)
        : base(name)
    {
        towers = new StackedMlp("towers", taskCount, inputDim, options, 1);
        RegisterComponents();
    }

    /// <summary>The stacked tower MLPs.</summary>
    public StackedMlp Towers => towers;

    /// <summary>Computes the logits.</summary>
    /// <param name="input">[T, B, in] (one input per task) or [B, in] (the same input for every task).</param>
    /// <returns>[B, T] logits.</returns>
    public override Tensor forward(Tensor input) => towers.forward(input).squeeze(-1).t();
}
