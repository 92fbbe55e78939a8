namespace STEM.Recommenders.Evaluation;

/// <summary>The samples of one distinct score in a <see cref="ScoreHistogram"/>.</summary>
/// <param name="Score">The score (a float32 prediction).</param>
/// <param name="Positives">Samples with this score and a positive label.</param>
/// <param name="Negatives">Samples with this score and a negative label.</param>
public readonly record struct ScoreRun(float Score, long Positives, long Negatives);
