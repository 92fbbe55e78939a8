using System.Text;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Hashes that are the same on every machine and run (string.GetHashCode is randomised per
/// process): FNV-1a 64 over UTF-8 bytes, the MurmurHash3 64-bit finaliser to spread FNV's weak
/// high bits, and a map of the top 53 bits to [0, 1).
/// </summary>
internal static class StableHash
{
    /// <summary>FNV-1a 64 offset basis.</summary>
    public const ulong Offset = 14695981039346656037UL;

    /// <summary>FNV-1a 64 prime.</summary>
    public const ulong Prime = 1099511628211UL;

    /// <summary>FNV-1a 64 of the UTF-8 bytes of <paramref name="text"/>, continuing from <paramref name="hash"/>.</summary>
    public static ulong Fnv1a(string text, ulong hash = Offset)
    {
        Span<byte> buffer = stackalloc byte[256];
        var max = Encoding.UTF8.GetMaxByteCount(text.Length);
        var bytes = max <= buffer.Length ? buffer : new byte[max];
        var length = Encoding.UTF8.GetBytes(text, bytes);
        foreach (var b in bytes[..length])
        {
            hash = unchecked((hash ^ b) * Prime);
        }

        return hash;
    }

    /// <summary>Adds one byte (a separator between strings, so that "ab"+"c" differs from "a"+"bc").</summary>
    public static ulong Fnv1a(byte value, ulong hash) => unchecked((hash ^ value) * Prime);

    /// <summary>The MurmurHash3 fmix64 finaliser: every input bit affects every output bit.</summary>
    public static ulong Mix(ulong x)
    {
        unchecked
        {
            x ^= x >> 33;
            x *= 0xFF51AFD7ED558CCDUL;
            x ^= x >> 33;
            x *= 0xC4CEB93FE1A85B53UL;
            x ^= x >> 33;
            return x;
        }
    }

    /// <summary>The top 53 bits as a double in [0, 1).</summary>
    public static double ToUnit(ulong x) => (x >> 11) * (1.0 / (1UL << 53));
}
