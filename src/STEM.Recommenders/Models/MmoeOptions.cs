namespace STEM.Recommenders.Models;

/// <summary>MMoE options; defaults from the reference configs (8 experts [512, 512, 512], gates [128, 64]).</summary>
public sealed record MmoeOptions : ModelOptions
{
    /// <summary>Number of experts. Default 8.</summary>
    public int Experts { get; init; } = 8;

    /// <summary>Hidden units of every expert. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> ExpertUnits { get; init; } = [512, 512, 512];

    /// <summary>Hidden units of every gate. Default [128, 64].</summary>
    public IReadOnlyList<int> GateUnits { get; init; } = [128, 64];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(Experts >= 1, nameof(Experts), "must be at least 1");
        RequireUnits(ExpertUnits, nameof(ExpertUnits));
        RequireUnits(GateUnits, nameof(GateUnits), allowEmpty: true);
    }
}

/// <summary>OMoE options: MMoE with one gate shared by every task.</summary>
public sealed record OmoeOptions : ModelOptions
{
    /// <summary>Number of experts. Default 8.</summary>
    public int Experts { get; init; } = 8;

    /// <summary>Hidden units of every expert. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> ExpertUnits { get; init; } = [512, 512, 512];

    /// <summary>Hidden units of the gate. Default [128, 64].</summary>
    public IReadOnlyList<int> GateUnits { get; init; } = [128, 64];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        Require(Experts >= 1, nameof(Experts), "must be at least 1");
        RequireUnits(ExpertUnits, nameof(ExpertUnits));
        RequireUnits(GateUnits, nameof(GateUnits), allowEmpty: true);
    }
}
