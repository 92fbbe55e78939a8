namespace STEM.Recommenders.Evaluation;

/// <summary>One task's reliability diagram on a split.</summary>
/// <param name="Task">Task name.</param>
/// <param name="Count">Rows with an observed label (the bins' counts add up to it).</param>
/// <param name="Bins">The non-empty bins, in increasing order of predicted probability.</param>
/// <param name="ExpectedCalibrationError">
/// Σ_b (n_b / N) · |mean predicted_b − observed rate_b| over the bins (NaN for no rows): the mean
/// distance between the diagram's points and the diagonal, weighted by the rows behind each point.
/// </param>
public sealed record TaskCalibration(string Task, long Count, IReadOnlyList<ReliabilityBin> Bins, double ExpectedCalibrationError);
