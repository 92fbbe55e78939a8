using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// A pretrained CLUE encoder with everything needed to turn an event log into user vectors: the
/// encoder's options and weights, the token vocabulary it was trained with, and the sequence
/// options that tokenise events. Saved as a directory of JSON and one weights file; loading
/// rebuilds the encoder from its options, checks every weight's declared shape and the
/// vocabulary's hash before reading weights, and names the directory and entry at fault.
/// </summary>
public sealed class ClueEncoderArtifact : IDisposable
{
    /// <summary>Format version written by this library.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The metadata file.</summary>
    public const string MetadataFile = "encoder.json";

    /// <summary>The vocabulary file.</summary>
    public const string VocabularyFile = "vocabulary.json";

    /// <summary>The weights file.</summary>
    public const string WeightsFile = "encoder.bin";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private ClueEncoderArtifact(ClueEncoder encoder, TokenVocabulary vocabulary, ClueEncoderMetadata metadata)
    {
        Encoder = encoder;
        Vocabulary = vocabulary;
        Metadata = metadata;
    }

    /// <summary>The encoder (in eval mode after loading).</summary>
    public ClueEncoder Encoder { get; }

    /// <summary>The token vocabulary.</summary>
    public TokenVocabulary Vocabulary { get; }

    /// <summary>Options, shapes, sequence settings and metrics.</summary>
    public ClueEncoderMetadata Metadata { get; }

    /// <summary>Wraps a trained encoder; the artifact takes ownership of it (disposing the artifact disposes the encoder).</summary>
    public static ClueEncoderArtifact Create(ClueEncoder encoder, TokenVocabulary vocabulary, SequenceOptions sequences, PretextMetrics? heldOut = null)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(sequences);
        if (encoder.VocabularySize != vocabulary.Count)
        {
            throw new ArgumentException($"The encoder has {encoder.VocabularySize} token rows but the vocabulary has {vocabulary.Count} tokens.", nameof(vocabulary));
        }

        var metadata = new ClueEncoderMetadata
        {
            FormatVersion = CurrentFormatVersion,
            LibraryVersion = typeof(ClueEncoderArtifact).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "0.0.0",
            Options = encoder.Options,
            TokensPerItem = encoder.TokensPerItem,
            VocabularySize = vocabulary.Count,
            VocabularyHash = vocabulary.ContentHash,
            Sequences = sequences,
            Weights = ShapesOf(encoder),
            HeldOut = heldOut,
            CreatedUtc = DateTimeOffset.UtcNow,
        };
        return new ClueEncoderArtifact(encoder, vocabulary, metadata);
    }

    /// <summary>Writes the artifact into a directory (created if needed).</summary>
    public async Task SaveAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        await File.WriteAllTextAsync(Path.Combine(directory, MetadataFile), JsonSerializer.Serialize(Metadata, Json), cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(Path.Combine(directory, VocabularyFile), Vocabulary.ToJson(), cancellationToken).ConfigureAwait(false);
        Encoder.save(Path.Combine(directory, WeightsFile));
    }

    /// <summary>Loads an artifact directory written by <see cref="SaveAsync"/>.</summary>
    /// <exception cref="InvalidDataException">A file is missing or malformed, or a weight or the vocabulary does not match; the message names the directory and the entry.</exception>
    public static async Task<ClueEncoderArtifact> LoadAsync(string directory, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        if (!Directory.Exists(directory))
        {
            throw new FileNotFoundException($"{directory}: no encoder artifact here (expected a directory with {MetadataFile}).", directory);
        }

        string Need(string file)
        {
            var full = Path.Combine(directory, file);
            return File.Exists(full) ? full : throw new InvalidDataException($"{directory}: the encoder artifact has no {file}.");
        }

        ClueEncoderMetadata metadata;
        try
        {
            metadata = JsonSerializer.Deserialize<ClueEncoderMetadata>(await File.ReadAllTextAsync(Need(MetadataFile), cancellationToken).ConfigureAwait(false), Json)
                ?? throw new InvalidDataException($"{directory}: {MetadataFile} is empty.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{directory}: invalid {MetadataFile} ({e.Message}).", e);
        }

        if (metadata.FormatVersion != CurrentFormatVersion)
        {
            throw new InvalidDataException($"{directory}: encoder artifact format version {metadata.FormatVersion} is not supported (this library reads version {CurrentFormatVersion}).");
        }

        if (metadata.Options is null || metadata.Sequences is null || metadata.Weights is null)
        {
            throw new InvalidDataException($"{directory}: {MetadataFile} lacks options, sequences or weights.");
        }

        TokenVocabulary vocabulary;
        try
        {
            vocabulary = TokenVocabulary.FromJson(await File.ReadAllTextAsync(Need(VocabularyFile), cancellationToken).ConfigureAwait(false), Path.Combine(directory, VocabularyFile));
        }
        catch (Exception e) when (e is not InvalidDataException and not OperationCanceledException)
        {
            throw new InvalidDataException($"{directory}: {VocabularyFile}: {e.Message}", e);
        }

        if (vocabulary.ContentHash != metadata.VocabularyHash || vocabulary.Count != metadata.VocabularySize)
        {
            throw new InvalidDataException($"{directory}: {VocabularyFile} is another vocabulary ({vocabulary.Count} tokens, hash {Short(vocabulary.ContentHash)}) than the encoder was trained with ({metadata.VocabularySize} tokens, hash {Short(metadata.VocabularyHash)}).");
        }

        try
        {
            metadata.Options.Validate();
            metadata.Sequences.Validate();
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{directory}: {MetadataFile}: {e.Message}", e);
        }

        var encoder = new ClueEncoder("clue", vocabulary.Count, metadata.TokensPerItem, metadata.Options);
        try
        {
            var expected = ShapesOf(encoder);
            foreach (var (name, shape) in expected)
            {
                if (!metadata.Weights.TryGetValue(name, out var stored))
                {
                    throw new InvalidDataException($"{directory}: the artifact lacks weight '{name}' that an encoder with these options has.");
                }

                if (!stored.SequenceEqual(shape))
                {
                    throw new InvalidDataException($"{directory}: weight '{name}' has shape [{string.Join(", ", stored)}] in {MetadataFile} but [{string.Join(", ", shape)}] in the encoder rebuilt from its options.");
                }
            }

            var extra = metadata.Weights.Keys.Except(expected.Keys).FirstOrDefault();
            if (extra is not null)
            {
                throw new InvalidDataException($"{directory}: the artifact has weight '{extra}' that the rebuilt encoder does not.");
            }

            var weights = Need(WeightsFile);
            var expectedBytes = expected.Values.Sum(s => s.Aggregate(4L, (a, b) => a * b));
            var actualBytes = new FileInfo(weights).Length;
            if (actualBytes < expectedBytes)
            {
                throw new InvalidDataException($"{directory}: {WeightsFile} has {actualBytes} bytes, fewer than the {expectedBytes} its weights need (truncated?).");
            }

            try
            {
                encoder.load(weights);
            }
            catch (Exception e) when (e is not InvalidDataException)
            {
                throw new InvalidDataException($"{directory}: {WeightsFile} could not be read ({FirstLine(e.Message)}).", e);
            }

            encoder.eval();
            return new ClueEncoderArtifact(encoder, vocabulary, metadata);
        }
        catch
        {
            encoder.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Computes one vector per user of <paramref name="users"/> with the frozen encoder, in
    /// inference mode, batch by batch.
    /// </summary>
    public UserVectors Embed(UserSequenceSet users, int batchSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(users);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var dimension = Encoder.OutputDim;
        var values = new float[(long)users.Count * dimension];
        Encoder.eval();
        using var _ = no_grad();
        for (var start = 0; start < users.Count; start += batchSize)
        {
            using var scope = NewDisposeScope();
            var length = Math.Min(batchSize, users.Count - start);
            var rows = arange(start, start + length, dtype: ScalarType.Int64);
            var z = Encoder.forward(users.Take(rows).TrimPadding()).to(ScalarType.Float32).cpu().contiguous();
            z.data<float>().ToArray().CopyTo(values, start * dimension);
        }

        return new UserVectors(users.UserKeys, values, dimension);
    }

    /// <inheritdoc />
    public void Dispose() => Encoder.Dispose();

    private static Dictionary<string, long[]> ShapesOf(ClueEncoder encoder) =>
        encoder.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.shape);

    private static string Short(string? hash) => hash is { Length: > 12 } ? hash[..12] : hash ?? "none";

    private static string FirstLine(string message)
    {
        var end = message.IndexOfAny(['\r', '\n']);
        return end < 0 ? message : message[..end];
    }
}

/// <summary>What <see cref="ClueEncoderArtifact"/> stores besides the weights and vocabulary.</summary>
public sealed record ClueEncoderMetadata
{
    /// <summary>Format version.</summary>
    public int FormatVersion { get; init; }

    /// <summary>The library version that wrote it.</summary>
    public string? LibraryVersion { get; init; }

    /// <summary>The encoder's options.</summary>
    public ClueEncoderOptions? Options { get; init; }

    /// <summary>Token slots per item K.</summary>
    public int TokensPerItem { get; init; }

    /// <summary>Tokens in the vocabulary (padding and OOV included).</summary>
    public long VocabularySize { get; init; }

    /// <summary>The vocabulary's content hash.</summary>
    public string? VocabularyHash { get; init; }

    /// <summary>How events are turned into token sequences.</summary>
    public SequenceOptions? Sequences { get; init; }

    /// <summary>Every weight's shape, checked before the weights are read.</summary>
    public Dictionary<string, long[]>? Weights { get; init; }

    /// <summary>Held-out pretext metrics of the saved weights.</summary>
    public PretextMetrics? HeldOut { get; init; }

    /// <summary>When it was written.</summary>
    public DateTimeOffset CreatedUtc { get; init; }
}
