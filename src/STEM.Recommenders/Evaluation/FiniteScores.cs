namespace STEM.Recommenders.Evaluation;

/// <summary>
/// Metrics are never computed from NaN or infinite scores: an AUC over NaN ranks them arbitrarily
/// and reports a number that means nothing. Such scores come from non-finite weights or from an
/// input that overflows the model, so the error is a data error (InvalidDataException).
/// </summary>
internal static class FiniteScores
{
    public static void Require(float score, string task)
    {
        if (!float.IsFinite(score))
        {
            throw new InvalidDataException($"the model gave a non-finite score ({score}) for task '{task}'; no metric is computed from it (the weights or an input are not finite, or an input overflows the model)");
        }
    }
}
