using STEM.Recommenders.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// One behaviour sequence per user as CPU tensors: <see cref="Tokens"/> int64 [U, L, K] (0 =
/// padding) and <see cref="ItemMask"/> bool [U, L], items left-aligned oldest first. Owns the
/// tensors; dispose it when done.
/// </summary>
public sealed class UserSequenceSet : IDisposable
{
    internal UserSequenceSet(Tensor tokens, Tensor itemMask, IReadOnlyList<string> userKeys, SequenceStatistics statistics)
    {
        Tokens = tokens;
        ItemMask = itemMask;
        UserKeys = userKeys;
        Statistics = statistics;
    }

    /// <summary>int64 [U, L, K] token ids; 0 is padding.</summary>
    public Tensor Tokens { get; }

    /// <summary>bool [U, L]: true where a position holds a real item.</summary>
    public Tensor ItemMask { get; }

    /// <summary>The user of each row, in row order.</summary>
    public IReadOnlyList<string> UserKeys { get; }

    /// <summary>Number of users U.</summary>
    public int Count => UserKeys.Count;

    /// <summary>What the encoding kept.</summary>
    public SequenceStatistics Statistics { get; }

    /// <summary>
    /// The rows at <paramref name="indices"/> (int64, 1-D) as a batch of new tensors; the caller's
    /// dispose scope owns them.
    /// </summary>
    public UserSequenceBatch Take(Tensor indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        return new UserSequenceBatch(Tokens.index_select(0, indices), ItemMask.index_select(0, indices));
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Tokens.Dispose();
        ItemMask.Dispose();
    }
}
