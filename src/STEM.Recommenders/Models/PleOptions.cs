namespace STEM.Recommenders.Models;

/// <summary>PLE options; defaults from the reference configs (1 level, 8 shared + 1 specific expert per task).</summary>
public sealed record PleOptions : LevelledExpertsOptions;

/// <summary>
/// ME-PLE options (multi-embedding PLE; the STEM paper's baseline, whose code was not published):
/// PLE whose task experts and task gates read their task's embedding view and whose shared experts
/// read the shared view.
/// </summary>
public sealed record MePleOptions : LevelledExpertsOptions;
