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

/// <summary>STEM-Net options; defaults from the paper and the authors' configs (8 shared + 1 specific expert per task).</summary>
public sealed record StemNetOptions : TaskExpertsOptions
{
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
        Require(Layers is >= 1 and <= SizeLimits.MaxLayers, nameof(Layers), $"must be in [1, {SizeLimits.MaxLayers}]");
    }
}

/// <summary>
/// ME-MMoE options (multi-embedding MMoE; the STEM paper's baseline, whose code was not published):
/// STEM-Net's embeddings, experts and gates with ordinary gates, i.e. no stop-gradient.
/// </summary>
public sealed record MeMmoeOptions : TaskExpertsOptions;
