using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Token ids of user sequences: 0 = padding, 1 = OOV (a token not kept), then the kept tokens
/// in a deterministic order (count descending, then ordinal string order). Fitted on the
/// training users' events only, so validation and test users' unseen tokens are OOV as they
/// would be in production. <see cref="ContentHash"/> identifies the id assignment, so that an
/// encoder trained with one vocabulary refuses another.
/// </summary>
public sealed class TokenVocabulary
{
    /// <summary>The id of padding (an absent token or item).</summary>
    public const int PaddingId = 0;

    /// <summary>The id of a token that is not in the vocabulary.</summary>
    public const int OovId = 1;

    private const string Format = "stem-token-vocabulary";
    private const int FormatVersion = 1;

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    private TokenVocabulary(string[] tokens, int minCount, string source)
    {
        _tokens = tokens;
        MinCount = minCount;
        _ids = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!_ids.TryAdd(tokens[i], i + 2))
            {
                throw new DataFormatException(source, $"token '{tokens[i]}' appears twice in the vocabulary");
            }
        }

        ContentHash = Hash(tokens);
    }

    /// <summary>The kept tokens in id order (token <c>Tokens[i]</c> has id <c>i + 2</c>).</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>Number of ids, padding and OOV included (the embedding table's rows).</summary>
    public int Count => _tokens.Length + 2;

    /// <summary>The minimum count the vocabulary was fitted with.</summary>
    public int MinCount { get; }

    /// <summary>
    /// Lower-case hex SHA-256 over the kept tokens in id order, each as its UTF-8 bytes followed
    /// by a zero byte: equal hashes mean equal id assignments.
    /// </summary>
    public string ContentHash { get; }

    /// <summary>The id of a token: its id when kept, else <see cref="OovId"/>.</summary>
    public int IdOf(string token)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _ids.TryGetValue(token, out var id) ? id : OovId;
    }

    /// <summary>
    /// Fits on the events of <paramref name="trainingUsers"/> (users not in the log are ignored):
    /// tokens seen at least <paramref name="minCount"/> times are kept.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="minCount"/> is below 1.</exception>
    public static TokenVocabulary Fit(UserEventLog log, IReadOnlySet<string> trainingUsers, int minCount)
    {
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(trainingUsers);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        var kept = log.CountTokens(trainingUsers)
            .Where(p => p.Value >= minCount)
            .OrderByDescending(p => p.Value)
            .ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key)
            .ToArray();
        return new TokenVocabulary(kept, minCount, log.Source);
    }

    /// <summary>Serialises the vocabulary (format, version, min count, content hash, tokens in id order).</summary>
    public string ToJson()
    {
        var json = new JsonObject
        {
            ["format"] = Format,
            ["version"] = FormatVersion,
            ["min_count"] = MinCount,
            ["content_hash"] = ContentHash,
            ["tokens"] = new JsonArray(_tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
        };
        return json.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
    }

    /// <summary>Reads a vocabulary written by <see cref="ToJson"/>, checking its content hash.</summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">The file (or description) it came from, named in errors.</param>
    /// <exception cref="DataFormatException">The JSON is malformed, of another format or version, or its hash does not match its tokens.</exception>
    public static TokenVocabulary FromJson(string json, string source)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentNullException.ThrowIfNull(source);
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new DataFormatException(source, $"not valid JSON ({e.Message})");
        }

        try
        {
            if (root is not JsonObject obj || (string?)obj["format"] != Format)
            {
                throw new DataFormatException(source, $"not a token vocabulary (\"format\" must be \"{Format}\")");
            }

            var version = (int?)obj["version"];
            if (version != FormatVersion)
            {
                throw new DataFormatException(source, $"vocabulary format version {version?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "(none)"} is not supported (expected {FormatVersion})");
            }

            var minCount = (int?)obj["min_count"] ?? throw new DataFormatException(source, "\"min_count\" is missing");
            var tokens = obj["tokens"] is JsonArray array
                ? array.Select(t => (string?)t ?? throw new DataFormatException(source, "\"tokens\" holds a null")).ToArray()
                : throw new DataFormatException(source, "\"tokens\" is missing or not an array");
            var vocabulary = new TokenVocabulary(tokens, minCount, source);
            var expected = (string?)obj["content_hash"];
            if (expected != vocabulary.ContentHash)
            {
                throw new DataFormatException(source, $"content hash {expected ?? "(none)"} does not match the tokens ({vocabulary.ContentHash}); the file was edited or is corrupt");
            }

            return vocabulary;
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException && e is not DataFormatException)
        {
            throw new DataFormatException(source, $"malformed vocabulary ({e.Message})");
        }
    }

    /// <summary>The id of each token text (for a log's token ordinals).</summary>
    internal int[] MapOrdinals(IReadOnlyList<string> texts)
    {
        var map = new int[texts.Count];
        for (var i = 0; i < map.Length; i++)
        {
            map[i] = IdOf(texts[i]);
        }

        return map;
    }

    private static string Hash(string[] tokens)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        ReadOnlySpan<byte> zero = [0];
        foreach (var token in tokens)
        {
            sha.AppendData(Encoding.UTF8.GetBytes(token));
            sha.AppendData(zero);
        }

        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }
}
