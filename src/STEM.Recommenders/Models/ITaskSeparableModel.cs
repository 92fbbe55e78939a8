namespace STEM.Recommenders.Models;

/// <summary>
/// A model made of one independent network per task, which can therefore be trained as one model per
/// task: each network with its own early stopping, learning-rate schedule, gradient clip and best
/// checkpoint on its own task's validation metric (the single-task protocol of the STEM paper).
/// The trainer does so when <see cref="TrainsTasksSeparately"/> is set.
/// </summary>
public interface ITaskSeparableModel : IMultiTaskModel
{
    /// <summary>Whether the trainer trains each task's network as its own model.</summary>
    bool TrainsTasksSeparately { get; }

    /// <summary>
    /// The network that predicts task <paramref name="task"/> alone, as a one-task model whose
    /// parameters are this model's (training it trains this model's network for that task).
    /// </summary>
    /// <param name="task">Task index, in <see cref="IMultiTaskModel.TaskNames"/> order.</param>
    IMultiTaskModel TaskModel(int task);
}
