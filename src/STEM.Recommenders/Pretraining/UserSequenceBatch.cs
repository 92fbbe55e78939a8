using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// A batch of users' behaviour sequences as token ids: each user is up to L items in time order
/// (oldest first, left-aligned, padding after the last item), each item up to K tokens.
/// </summary>
/// <param name="Tokens">int64 [B, L, K] token ids; 0 is padding (an absent token or an absent item).</param>
/// <param name="ItemMask">bool [B, L]: true where the position holds a real item.</param>
public sealed record UserSequenceBatch(Tensor Tokens, Tensor ItemMask)
{
    /// <summary>Number of users.</summary>
    public long Size => Tokens.shape[0];
}

/// <summary>Two views of the same users (row i of <see cref="A"/> and of <see cref="B"/> is one user): the positives of contrastive pretraining.</summary>
/// <param name="A">The first view (for example the user's events on the main service).</param>
/// <param name="B">The second view (for example the user's events on the other services).</param>
public sealed record UserPairBatch(UserSequenceBatch A, UserSequenceBatch B)
{
    /// <summary>Number of users.</summary>
    public long Size => A.Size;
}
