using System.Text.Json.Serialization;
using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Models;

/// <summary>How strictly STEM-Net keeps one task's gradient out of another task's parameters.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StemIsolation>))]
public enum StemIsolation
{
    /// <summary>
    /// Between stacked layers the shared gate detaches every task-specific expert, so task t's loss
    /// never reaches task u's embeddings or experts at any depth. Default.
    /// </summary>
    Strict,

    /// <summary>
    /// As the authors' code: the shared gate mixes every expert undetached, which leaks task u's
    /// gradient into task t's experts and embeddings once there are two or more layers.
    /// </summary>
    ReferenceCompatible,
}

/// <summary>STEM-Net options; defaults from the paper and the authors' configs.</summary>
public sealed record StemNetOptions : ModelOptions
{
    /// <summary>Hidden units of every expert. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> ExpertUnits { get; init; } = [512, 512, 512];

    /// <summary>Shared experts per layer. Default 8.</summary>
    public int SharedExperts { get; init; } = 8;

    /// <summary>Task-specific experts per task per layer. Default 1.</summary>
    public int SpecificExpertsPerTask { get; init; } = 1;

    /// <summary>Hidden units of every gate (a linear layer to one logit per expert follows). Default [128, 64].</summary>
    public IReadOnlyList<int> GateUnits { get; init; } = [128, 64];

    /// <summary>Number of stacked expert layers. Default 1.</summary>
    public int Layers { get; init; } = 1;

    /// <summary>Gradient isolation between tasks. Default <see cref="StemIsolation.Strict"/>.</summary>
    public StemIsolation Isolation { get; init; } = StemIsolation.Strict;

    /// <summary>What a task gate reads. Default task view + shared view (the authors' code).</summary>
    public GateInput GateInput { get; init; } = GateInput.TaskPlusShared;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        RequireUnits(ExpertUnits, nameof(ExpertUnits));
        RequireUnits(GateUnits, nameof(GateUnits), allowEmpty: true);
        Require(SharedExperts >= 0, nameof(SharedExperts), "must not be negative");
        Require(SpecificExpertsPerTask >= 0, nameof(SpecificExpertsPerTask), "must not be negative");
        Require(SharedExperts + SpecificExpertsPerTask > 0, nameof(SharedExperts), "plus SpecificExpertsPerTask must be positive");
        Require(Layers >= 1, nameof(Layers), "must be at least 1");
    }
}

/// <summary>
/// ME-MMoE options (multi-embedding MMoE; the STEM paper's baseline, whose code was not published):
/// STEM-Net's embeddings, experts and gates with ordinary gates, i.e. no stop-gradient.
/// </summary>
public sealed record MeMmoeOptions : ModelOptions
{
    /// <summary>Hidden units of every expert. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> ExpertUnits { get; init; } = [512, 512, 512];

    /// <summary>Shared experts. Default 8.</summary>
    public int SharedExperts { get; init; } = 8;

    /// <summary>Task-specific experts per task. Default 1.</summary>
    public int SpecificExpertsPerTask { get; init; } = 1;

    /// <summary>Hidden units of every gate. Default [128, 64].</summary>
    public IReadOnlyList<int> GateUnits { get; init; } = [128, 64];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        RequireUnits(ExpertUnits, nameof(ExpertUnits));
        RequireUnits(GateUnits, nameof(GateUnits), allowEmpty: true);
        Require(SharedExperts >= 0 && SpecificExpertsPerTask >= 0 && SharedExperts + SpecificExpertsPerTask > 0, nameof(SharedExperts), "and SpecificExpertsPerTask must be non-negative with a positive sum");
    }
}
