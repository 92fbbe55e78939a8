namespace STEM.Recommenders.Pretraining;

/// <summary>The result of probing frozen user vectors for one user attribute.</summary>
/// <param name="Attribute">The attribute column.</param>
/// <param name="Classes">Distinct values (classes) among the probed users.</param>
/// <param name="TrainUsers">Users the probe was fitted on.</param>
/// <param name="TestUsers">Users it was scored on.</param>
/// <param name="Accuracy">Held-out accuracy.</param>
/// <param name="MajorityAccuracy">Held-out accuracy of always predicting the training majority class (the floor).</param>
/// <param name="MacroAuc">Held-out one-vs-rest AUC averaged over the classes present in the held-out users.</param>
public sealed record ProbeResult(string Attribute, int Classes, int TrainUsers, int TestUsers, double Accuracy, double MajorityAccuracy, double MacroAuc);
