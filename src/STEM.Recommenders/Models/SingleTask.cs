using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// The single-task baseline: one independent network per task (its own embeddings, bottom and
/// tower — a one-task shared-bottom), trained side by side on the same pipeline. The networks share
/// nothing, so each task's loss reaches only its own network; only the global gradient-norm clip and
/// the schedule are common.
/// </summary>
public sealed class SingleTask : MultiTaskModel
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
    public override MultiTaskOutput forward(FeatureBatch batch) =>
        new(cat(networks.Select(n => n.forward(batch).Logits).ToArray(), 1));
}
