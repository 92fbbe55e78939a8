namespace STEM.Recommenders.Models;

/// <summary>Options of models built from experts and gates: expert and gate widths (the reference configs' defaults).</summary>
public abstract record GatedExpertsOptions : ModelOptions
{
    /// <summary>Hidden units of every expert. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> ExpertUnits { get; init; } = [512, 512, 512];

    /// <summary>Hidden units of every gate (a linear layer to one logit per expert follows). Default [128, 64].</summary>
    public IReadOnlyList<int> GateUnits { get; init; } = [128, 64];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        RequireUnits(ExpertUnits, nameof(ExpertUnits));
        RequireUnits(GateUnits, nameof(GateUnits), allowEmpty: true);
    }
}

/// <summary>Options of models with one pool of experts that every task shares (MMoE, OMoE).</summary>
public abstract record PooledExpertsOptions : GatedExpertsOptions
{
    /// <summary>Number of experts. Default 8.</summary>
    public int Experts { get; init; } = 8;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(Experts is >= 1 and <= SizeLimits.MaxExperts, nameof(Experts), $"must be in [1, {SizeLimits.MaxExperts}]");
    }
}

/// <summary>Options of models with task-specific and shared experts (STEM-Net, ME-MMoE, PLE, ME-PLE).</summary>
public abstract record TaskExpertsOptions : GatedExpertsOptions
{
    /// <summary>Shared experts per layer. Default 8.</summary>
    public int SharedExperts { get; init; } = 8;

    /// <summary>Task-specific experts per task per layer. Default 1.</summary>
    public int SpecificExpertsPerTask { get; init; } = 1;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(SharedExperts is >= 0 and <= SizeLimits.MaxExperts, nameof(SharedExperts), $"must be in [0, {SizeLimits.MaxExperts}]");
        Require(SpecificExpertsPerTask is >= 0 and <= SizeLimits.MaxExperts, nameof(SpecificExpertsPerTask), $"must be in [0, {SizeLimits.MaxExperts}]");
        Require(SharedExperts + SpecificExpertsPerTask > 0, nameof(SharedExperts), "plus SpecificExpertsPerTask must be positive");
    }
}

/// <summary>Options of PLE-style models: levels of customised gate control.</summary>
public abstract record LevelledExpertsOptions : TaskExpertsOptions
{
    /// <summary>Number of CGC levels. Default 1 (the reference configs).</summary>
    public int Levels { get; init; } = 1;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(Levels is >= 1 and <= SizeLimits.MaxLayers, nameof(Levels), $"must be in [1, {SizeLimits.MaxLayers}]");
    }
}
