using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

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

    /// <summary>
    /// The same users cut to the longest real sequence of the batch: items are left-aligned, so the
    /// positions past it are padding for every user, and the encoder's output does not depend on
    /// padding. Short logs are padded far past their typical length (the KuaiRand week fills about
    /// one slot in eight at 32 items), so this saves most of the encoder's work. Reads one number
    /// back from the device.
    /// </summary>
    public UserSequenceBatch TrimPadding()
    {
        var longest = ItemMask.sum(1).max().item<long>();
        var length = Math.Max(1, longest);
        return length >= ItemMask.shape[1] ? this : new UserSequenceBatch(Tokens.narrow(1, 0, length), ItemMask.narrow(1, 0, length));
    }
}
