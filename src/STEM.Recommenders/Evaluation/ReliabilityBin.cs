namespace STEM.Recommenders.Evaluation;

/// <summary>One bin of a reliability (calibration) diagram: the rows whose predicted probability falls in [Lower, Upper).</summary>
/// <param name="Lower">Lowest predicted probability the bin can hold.</param>
/// <param name="Upper">Upper edge of the predicted probabilities the bin can hold (exclusive; 1 for the last bin).</param>
/// <param name="Count">Rows with an observed label in the bin.</param>
/// <param name="MeanPredicted">Mean predicted probability of those rows.</param>
/// <param name="ObservedRate">Fraction of those rows that are positive.</param>
public sealed record ReliabilityBin(double Lower, double Upper, long Count, double MeanPredicted, double ObservedRate);
