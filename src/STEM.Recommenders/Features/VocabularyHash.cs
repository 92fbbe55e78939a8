using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace STEM.Recommenders.Features;

/// <summary>
/// The <see cref="EncodedData.FieldLayout.VocabularyHash"/> of a fitted field: what its ids stand
/// for. Two fields with the same rows can still map the same id to other values (fitted on other
/// data); comparing row counts alone would let a model trained on one pipeline score rows encoded by
/// the other.
/// </summary>
internal static class VocabularyHash
{
    /// <summary>Hex digits kept (64 bits): an identity check, not a security boundary.</summary>
    private const int HexDigits = 16;

    /// <summary>
    /// A hash of the vocabulary in index order (categorical and multi-valued fields) or of the
    /// bucket boundaries (bucketised numeric fields); null when the field has neither (hashed, plain
    /// numeric and dense-vector fields: their rows and slots already say what an id is).
    /// </summary>
    public static string? Of(FittedFeature fitted)
    {
        ArgumentNullException.ThrowIfNull(fitted);
        if (fitted.Vocabulary is null && fitted.Boundaries is null)
        {
            return null;
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> number = stackalloc byte[8];

        // Length-prefixed entries: ["ab", "c"] and ["a", "bc"] must not hash alike.
        if (fitted.Vocabulary is { } vocabulary)
        {
            hash.AppendData("vocabulary"u8);
            BinaryPrimitives.WriteInt64LittleEndian(number, vocabulary.Count);
            hash.AppendData(number);
            foreach (var value in vocabulary)
            {
                var bytes = Encoding.UTF8.GetBytes(value);
                BinaryPrimitives.WriteInt64LittleEndian(number, bytes.Length);
                hash.AppendData(number);
                hash.AppendData(bytes);
            }
        }

        if (fitted.Boundaries is { } boundaries)
        {
            hash.AppendData("boundaries"u8);
            BinaryPrimitives.WriteInt64LittleEndian(number, boundaries.Count);
            hash.AppendData(number);
            foreach (var boundary in boundaries)
            {
                BinaryPrimitives.WriteDoubleLittleEndian(number, boundary);
                hash.AppendData(number);
            }
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset())[..HexDigits];
    }
}
