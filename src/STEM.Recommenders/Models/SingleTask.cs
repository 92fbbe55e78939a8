using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// The single-task baseline: one independent network per task (its own embeddings, bottom and
/// tower — a one-task shared-bottom) on the same pipeline. By default
/// (<see cref="SingleTaskOptions.TrainSeparately"/>) the trainer trains it as one model per task, each
/// early-stopped and checkpointed on its own task's validation metric, as the STEM paper does; with
/// that option off the networks train side by side and share the gradient clip and the schedule.
/// </summary>
public sealed class SingleTask : MultiTaskModel, ITaskSeparableModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "single-task";

    private readonly ModuleList<SharedBottom> networks = new();

    /// <summary>Builds the model.</summary>
    public SingleTask(FeatureLayout layout, IReadOnlyList<string> taskNames, SingleTaskOptions? options = null)
        : base(Name, layout, taskNames, options ??= new SingleTaskOptions())
    {
        var each = new SharedBottomOptions
        {
            EmbeddingDim = options.EmbeddingDim,
            EmbeddingInitStd = options.EmbeddingInitStd,
            TowerUnits = options.TowerUnits,
            Activation = options.Activation,
            BatchNorm = options.BatchNorm,
            Dropout = options.Dropout,
            Precision = options.Precision,
            BottomUnits = options.BottomUnits,
        };
        foreach (var task in TaskNames)
        {
            networks.Add(new SharedBottom(layout, [task], each));
        }

        RegisterComponents();
    }

    /// <inheritdoc />
    public bool TrainsTasksSeparately => ((SingleTaskOptions)Options).TrainSeparately;

    /// <inheritdoc />
    public IMultiTaskModel TaskModel(int task)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(task, TaskNames.Count);
        return networks[task];
    }

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch) =>
        new(cat(networks.Select(n => n.forward(batch).Logits).ToArray(), 1));
}
