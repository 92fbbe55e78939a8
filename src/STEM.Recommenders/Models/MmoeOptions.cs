namespace STEM.Recommenders.Models;

/// <summary>MMoE options; defaults from the reference configs (8 experts [512, 512, 512], gates [128, 64]).</summary>
public sealed record MmoeOptions : PooledExpertsOptions;

/// <summary>OMoE options: MMoE with one gate shared by every task (8 experts by default).</summary>
public sealed record OmoeOptions : PooledExpertsOptions;
