using STEM.Recommenders.Training;

namespace STEM.Recommenders.Hosting;

/// <summary>Progress of one run within an experiment or comparison.</summary>
/// <param name="Model">Model being trained.</param>
/// <param name="Seed">Its seed.</param>
/// <param name="Run">1-based run number.</param>
/// <param name="Runs">Number of runs.</param>
/// <param name="Training">The trainer's progress.</param>
public sealed record ExperimentProgress(string Model, long Seed, int Run, int Runs, TrainingProgress Training);

/// <summary>The outcome of <see cref="ExperimentRunner.TrainAsync"/>.</summary>
/// <param name="Report">Metrics and run details.</param>
/// <param name="Artifact">The trained model and its pipeline (the caller disposes it).</param>
/// <param name="OutputDirectory">Where files were written, if anywhere.</param>
public sealed record ExperimentRunResult(Evaluation.Reports.ModelRunReport Report, Serving.ModelArtifact Artifact, string? OutputDirectory);
