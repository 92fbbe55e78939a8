namespace STEM.Recommenders.Hosting;

/// <summary>One row of a comparison: a name (a model, a variant, a tuned winner) and the complete configuration it trains.</summary>
/// <param name="Name">The row's name in reports.</param>
/// <param name="Config">What it trains; its <see cref="Training.TrainerOptions.Seed"/> is the first seed.</param>
public sealed record NamedExperiment(string Name, ExperimentConfig Config);
