namespace STEM.Recommenders.Models;

/// <summary>PLE options; defaults from the reference configs (1 level, 8 shared + 1 specific expert per task).</summary>
public sealed record PleOptions : ModelOptions
{
    /// <summary>Number of CGC levels. Default 1.</summary>
    public int Levels { get; init; } = 1;

    /// <summary>Shared experts per level. Default 8.</summary>
    public int SharedExperts { get; init; } = 8;

    /// <summary>Task-specific experts per task per level. Default 1.</summary>
    public int SpecificExpertsPerTask { get; init; } = 1;

    /// <summary>Hidden units of every expert. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> ExpertUnits { get; init; } = [512, 512, 512];

    /// <summary>Hidden units of every gate. Default [128, 64].</summary>
    public IReadOnlyList<int> GateUnits { get; init; } = [128, 64];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(Levels >= 1, nameof(Levels), "must be at least 1");
        Require(SharedExperts >= 0 && SpecificExpertsPerTask >= 0 && SharedExperts + SpecificExpertsPerTask > 0, nameof(SharedExperts), "and SpecificExpertsPerTask must be non-negative with a positive sum");
        RequireUnits(ExpertUnits, nameof(ExpertUnits));
        RequireUnits(GateUnits, nameof(GateUnits), allowEmpty: true);
    }
}

/// <summary>
/// ME-PLE options (multi-embedding PLE; the STEM paper's baseline, whose code was not published):
/// PLE whose task experts and task gates read their task's embedding view and whose shared experts
/// read the shared view.
/// </summary>
public sealed record MePleOptions : ModelOptions
{
    /// <summary>Number of CGC levels. Default 1.</summary>
    public int Levels { get; init; } = 1;

    /// <summary>Shared experts per level. Default 8.</summary>
    public int SharedExperts { get; init; } = 8;

    /// <summary>Task-specific experts per task per level. Default 1.</summary>
    public int SpecificExpertsPerTask { get; init; } = 1;

    /// <summary>Hidden units of every expert. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> ExpertUnits { get; init; } = [512, 512, 512];

    /// <summary>Hidden units of every gate. Default [128, 64].</summary>
    public IReadOnlyList<int> GateUnits { get; init; } = [128, 64];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(Levels >= 1, nameof(Levels), "must be at least 1");
        Require(SharedExperts >= 0 && SpecificExpertsPerTask >= 0 && SharedExperts + SpecificExpertsPerTask > 0, nameof(SharedExperts), "and SpecificExpertsPerTask must be non-negative with a positive sum");
        RequireUnits(ExpertUnits, nameof(ExpertUnits));
        RequireUnits(GateUnits, nameof(GateUnits), allowEmpty: true);
    }
}
