using STEM.Recommenders.EncodedData;
using TorchSharp.Modules;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;

namespace STEM.Recommenders.Models;

/// <summary>Shared-bottom (Caruana 1997): one shared embedding and bottom MLP, one tower per task.</summary>
public sealed class SharedBottom : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "shared-bottom";

    private readonly EmbeddingBank embedding;
    private readonly StackedMlp bottom;
    private readonly TaskTower towers;

    /// <summary>Builds the model.</summary>
    public SharedBottom(FeatureLayout layout, IReadOnlyList<string> taskNames, SharedBottomOptions? options = null)
        : base(Name, layout, taskNames, options ??= new SharedBottomOptions())
    {
        embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, 0, options.EmbeddingInitStd);
        bottom = new StackedMlp("bottom", 1, embedding.ViewWidth, Mlp(options.BottomUnits));
        towers = new TaskTower("towers", TaskCount, bottom.OutputDim, Mlp(options.TowerUnits));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Parameter? LastSharedLayer => bottom.LastWeight;

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch)
    {
        var hidden = bottom.forward(embedding.forward(batch)[0])[0];
        return new MultiTaskOutput(towers.forward(hidden));
    }
}
