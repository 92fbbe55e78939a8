namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Held-out pretext quality: symmetric InfoNCE at a fixed batch size and how often a user's second
/// view is retrieved among the batch's second views from the first.
/// </summary>
/// <param name="Loss">Mean symmetric InfoNCE over the evaluation batches (nats).</param>
/// <param name="Top1">Fraction of users whose own second view is the most similar one in the batch.</param>
/// <param name="Top10">Fraction whose own second view is among the ten most similar.</param>
/// <param name="Users">Users evaluated (whole batches only).</param>
/// <param name="BatchSize">The evaluation batch size the loss was measured at; log(BatchSize) is chance level.</param>
public sealed record PretextMetrics(double Loss, double Top1, double Top10, int Users, int BatchSize)
{
    /// <summary>The loss of an encoder that knows nothing: log(batch size).</summary>
    public double ChanceLoss => Math.Log(BatchSize);
}
