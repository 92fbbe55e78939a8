namespace STEM.Recommenders.Models;

/// <summary>
/// ESMM options. Task 0 is the entry task (CTR); every later task t is modelled as
/// p(task 0) · p(task t | task 0) over the whole impression space, so its label must be the joint
/// event (e.g. click and conversion).
/// </summary>
public sealed record EsmmOptions : ModelOptions
{
    /// <summary>Creates the options with towers [512, 256, 128] over the shared embedding.</summary>
    public EsmmOptions()
    {
        TowerUnits = [512, 256, 128];
    }
}

/// <summary>
/// AITM options (Xi et al., KDD 2021): per-task towers, adaptive information transfer from task t-1
/// to task t, and a calibrator that penalises p(t) &gt; p(t-1).
/// </summary>
public sealed record AitmOptions : ModelOptions
{
    /// <summary>Creates the options with towers [512, 256, 128].</summary>
    public AitmOptions()
    {
        TowerUnits = [512, 256, 128];
    }

    /// <summary>Weight α of the behavioural-expectation calibrator. Default 0.6 (the AITM paper's).</summary>
    public double CalibratorWeight { get; init; } = 0.6;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        RequireUnits(TowerUnits, nameof(TowerUnits));
        Require(CalibratorWeight >= 0 && double.IsFinite(CalibratorWeight), nameof(CalibratorWeight), "must be finite and not negative");
    }
}
