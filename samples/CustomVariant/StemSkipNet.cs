using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using static TorchSharp.torch;

namespace CustomVariant;

/// <summary>Options of <see cref="StemSkipNet"/>: STEM's expert and gate knobs, small by default.</summary>
public sealed record StemSkipOptions : ModelOptions
{
    /// <summary>Hidden units of every expert.</summary>
    public IReadOnlyList<int> ExpertUnits { get; init; } = [64, 32];

    /// <summary>Hidden units of every gate.</summary>
    public IReadOnlyList<int> GateUnits { get; init; } = [32];

    /// <summary>Shared experts (each task also gets one expert of its own).</summary>
    public int SharedExperts { get; init; } = 2;

    /// <summary>Width the skip projects each task's own embedding view down to.</summary>
    public int SkipDim { get; init; } = 16;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        RequireUnits(ExpertUnits, nameof(ExpertUnits));
        RequireUnits(GateUnits, nameof(GateUnits), allowEmpty: true);
        Require(SharedExperts >= 0, nameof(SharedExperts), "must not be negative");
        Require(SkipDim >= 1, nameof(SkipDim), "must be at least 1");
    }
}

/// <summary>
/// A STEM-Net variant built from the library's modules: one task expert per task plus shared
/// experts behind the AFTB gate, and a per-task skip path — task t's own embedding view, projected
/// by a task-owned layer — concatenated to the gate output before task t's tower. The skip reads
/// only view t, so task t's loss still never reaches task u's embeddings or experts.
/// </summary>
public sealed class StemSkipNet : MultiTaskModel
{
    /// <summary>The model's name.</summary>
    public const string Name = "stem-skip";

    private readonly EmbeddingBank embedding;
    private readonly ExpertPool experts;
    private readonly AfTbGate gate;
    private readonly StackedMlp skip;
    private readonly TaskTower towers;

    /// <summary>Builds the model for a feature layout and tasks.</summary>
    public StemSkipNet(FeatureLayout layout, IReadOnlyList<string> taskNames, StemSkipOptions? options = null)
        : base(Name, layout, taskNames, options ??= new StemSkipOptions())
    {
        embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, TaskCount, options.EmbeddingInitStd);
        int[] owners = [.. Enumerable.Range(0, TaskCount), .. Enumerable.Repeat(-1, options.SharedExperts)];
        ExpertOwners = owners;
        experts = new ExpertPool("experts", owners.Length, embedding.ViewWidth, Mlp(options.ExpertUnits), owners.Select(o => o < 0 ? TaskCount : o).ToArray());
        gate = new AfTbGate("gate", TaskCount, embedding.ViewWidth, owners, Mlp(options.GateUnits), sharedGate: false);
        skip = new StackedMlp("skip", TaskCount, embedding.ViewWidth, Mlp([options.SkipDim]));
        towers = new TaskTower("towers", TaskCount, experts.OutputDim + options.SkipDim, Mlp(options.TowerUnits));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override IReadOnlyList<int>? ExpertOwners { get; }

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch)
    {
        var views = embedding.forward(batch);                               // [T+1, B, F·d]: task views, then shared
        var (mixed, weights) = gate.forward(views, experts.forward(views)); // [T, B, h], AFTB-mixed
        var own = skip.forward(views.narrow(0, 0, TaskCount));              // [T, B, s]: view t → task t's skip
        return new MultiTaskOutput(towers.forward(cat([mixed, own], 2))) { GateWeights = weights };
    }
}
