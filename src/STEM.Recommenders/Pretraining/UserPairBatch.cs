using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Pretraining;

/// <summary>Two views of the same users (row i of <see cref="A"/> and of <see cref="B"/> is one user): the positives of contrastive pretraining.</summary>
/// <param name="A">The first view (for example the user's events on the main service).</param>
/// <param name="B">The second view (for example the user's events on the other services).</param>
public sealed record UserPairBatch(UserSequenceBatch A, UserSequenceBatch B)
{
    /// <summary>Number of users.</summary>
    public long Size => A.Size;
}
