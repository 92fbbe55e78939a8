using STEM.Recommenders.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Two views of the same users (row i of <see cref="A"/> and of <see cref="B"/> is user
/// <c>UserKeys[i]</c>): the positives of contrastive pretraining, as CPU tensors. Owns them;
/// dispose it when done.
/// </summary>
public sealed class UserPairSet : IDisposable
{
    internal UserPairSet(UserSequenceSet a, UserSequenceSet b, ViewStatistics statistics)
    {
        A = a;
        B = b;
        Statistics = statistics;
    }

    /// <summary>View A's sequences.</summary>
    public UserSequenceSet A { get; }

    /// <summary>View B's sequences, same user order as <see cref="A"/>.</summary>
    public UserSequenceSet B { get; }

    /// <summary>The user of each row.</summary>
    public IReadOnlyList<string> UserKeys => A.UserKeys;

    /// <summary>Number of users.</summary>
    public int Count => A.Count;

    /// <summary>Users considered, kept and excluded, and events per view.</summary>
    public ViewStatistics Statistics { get; }

    /// <summary>The rows at <paramref name="indices"/> (int64, 1-D) of both views; the caller's dispose scope owns the tensors.</summary>
    public UserPairBatch Take(Tensor indices) => new(A.Take(indices), B.Take(indices));

    /// <inheritdoc />
    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
    }
}
