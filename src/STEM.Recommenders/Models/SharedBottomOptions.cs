namespace STEM.Recommenders.Models;

/// <summary>Shared-bottom options; defaults from the reference configs (bottom [512, 512, 512], towers [128, 128]).</summary>
public sealed record SharedBottomOptions : ModelOptions
{
    /// <summary>Creates the options with the reference tower size.</summary>
    public SharedBottomOptions()
    {
        TowerUnits = [128, 128];
    }

    /// <summary>Hidden units of the shared bottom. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> BottomUnits { get; init; } = [512, 512, 512];

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        RequireUnits(BottomUnits, nameof(BottomUnits));
    }
}

/// <summary>
/// Single-task options: one independent shared-bottom network (its own embeddings, bottom and tower)
/// per task, trained side by side on the same pipeline. Defaults as <see cref="SharedBottomOptions"/>.
/// </summary>
public sealed record SingleTaskOptions : ModelOptions
{
    /// <summary>Creates the options with the reference tower size.</summary>
    public SingleTaskOptions()
    {
        TowerUnits = [128, 128];
    }

    /// <summary>Hidden units of each task's bottom. Default [512, 512, 512].</summary>
    public IReadOnlyList<int> BottomUnits { get; init; } = [512, 512, 512];

    /// <summary>
    /// Train one model per task (default true, the paper's protocol): each task's network is trained
    /// on its own, early-stopped, scheduled and checkpointed on its own task's validation metric (the
    /// trainer's monitor applied to that task). False trains the networks side by side under one
    /// schedule on the monitor over all tasks.
    /// </summary>
    public bool TrainSeparately { get; init; } = true;

    /// <inheritdoc />
    public override void Validate()
    {
        base.Validate();
        RequireUnits(BottomUnits, nameof(BottomUnits));
    }
}
