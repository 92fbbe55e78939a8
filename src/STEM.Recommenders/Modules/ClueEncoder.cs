using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// The CLUE user encoder (Shin et al., AAAI 2023): token embeddings → item encoder (mean, or a
/// one-layer Transformer then a masked mean) → + learned positions → a Transformer over the
/// time-ordered items → the mean of the last hidden states over the user's real items → a Linear
/// projection → L2 normalisation. Returns float32 [B, OutputDim] with unit rows; a user with no
/// items gets a zero row (so it can be recognised, and contributes nothing downstream).
/// </summary>
/// <remarks>
/// <para>The Transformer layers are LibTorch's <c>TransformerEncoderLayer</c> through TorchSharp:
/// post-norm (x = LayerNorm(x + Attention(x)); x = LayerNorm(x + FeedForward(x)), as in the
/// original Transformer and BERT; LibTorch's C++ layer has no pre-norm option), GELU, sequence-first
/// (inputs are transposed to [S, N, d]), key padding masks with true = ignore.</para>
/// <para>Padding never changes a user's vector: padding tokens and padding items are masked as
/// attention keys and excluded from every mean, and the item Transformer runs on the real items
/// only (most positions of a padded batch are padding). Tokens within an item are a set (no slot
/// positions): the vocabulary already tells fields apart. A fully masked attention row would be a
/// softmax over −∞ (NaN), so for an item without tokens, or a user without items, one slot is
/// unmasked and the result is zeroed afterwards.</para>
/// <para>The token table and position table start N(0, 0.02²) (BERT's convention); row 0, the
/// padding token, starts at zero and receives no gradient.</para>
/// </remarks>
public sealed class ClueEncoder : nn.Module<UserSequenceBatch, Tensor>
{
    private const double InitStd = 0.02;

    private readonly Parameter token_embedding;
    private readonly Parameter? position_embedding;
    private readonly TransformerEncoderLayer? item_encoder;
    private readonly TransformerEncoder? sequence_encoder;
    private readonly Linear projection;

    /// <summary>Creates the encoder.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="vocabularySize">V: token ids are 0 (padding) to V − 1.</param>
    /// <param name="tokensPerItem">The most token slots per item (K of the batches); batches may have fewer.</param>
    /// <param name="options">The encoder's shape; validated here.</param>
    public ClueEncoder(string name, long vocabularySize, int tokensPerItem, ClueEncoderOptions options)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(tokensPerItem, 1);
        options.Validate();
        Options = options;
        VocabularySize = vocabularySize;
        TokensPerItem = tokensPerItem;
        var d = options.Width;
        using (no_grad())
        {
            var table = empty(vocabularySize, d).normal_(0, InitStd);
            table[0].fill_(0);
            token_embedding = new Parameter(table);
            if (options.PositionEncoding)
            {
                position_embedding = new Parameter(empty(options.MaxLength, d).normal_(0, InitStd));
            }
        }

        if (options.ItemEncoder == ItemEncoderKind.Transformer)
        {
            item_encoder = Layer(options);
        }

        if (options.Layers > 0)
        {
            // LibTorch clones the prototype layer num_layers times; the prototype itself is not used.
            using var prototype = Layer(options);
            sequence_encoder = nn.TransformerEncoder(prototype, options.Layers);
        }

        projection = nn.Linear(d, options.OutputDim);
        RegisterComponents();
        ParameterCounts = new ClueParameterCounts(
            TokenEmbedding: token_embedding.numel(),
            PositionEmbedding: position_embedding?.numel() ?? 0,
            ItemEncoder: Count(item_encoder),
            SequenceEncoder: Count(sequence_encoder),
            Projection: Count(projection));
    }

    /// <summary>The encoder's shape.</summary>
    public ClueEncoderOptions Options { get; }

    /// <summary>V, the number of token ids.</summary>
    public long VocabularySize { get; }

    /// <summary>The most token slots per item.</summary>
    public int TokensPerItem { get; }

    /// <summary>Width of the user vector.</summary>
    public int OutputDim => Options.OutputDim;

    /// <summary>The token table [V, d]; row 0 is the padding token.</summary>
    public Parameter TokenEmbedding => token_embedding;

    /// <summary>The position table [MaxLength, d], or <see langword="null"/> without position encoding.</summary>
    public Parameter? PositionEmbedding => position_embedding;

    /// <summary>Parameters by part, measured on the built modules.</summary>
    public ClueParameterCounts ParameterCounts { get; }

    /// <summary>Parameters of the token and position tables.</summary>
    public long EmbeddingParameterCount => ParameterCounts.Embedding;

    /// <summary>Every other parameter: item encoder, sequence encoder, projection.</summary>
    public long NonEmbeddingParameterCount => ParameterCounts.NonEmbedding;

    /// <summary>Encodes a batch of users.</summary>
    /// <param name="batch">Tokens int64 [B, L, K] and the item mask bool [B, L]; L ≤ MaxLength, K ≤ TokensPerItem.</param>
    /// <returns>float32 [B, OutputDim]: unit rows, or zero rows for users without items.</returns>
    /// <exception cref="ArgumentException">The batch's shape does not fit the options.</exception>
    public override Tensor forward(UserSequenceBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var tokens = batch.Tokens;
        var itemMask = batch.ItemMask;
        CheckShape(batch);
        var length = tokens.shape[1];

        var items = Items(tokens, itemMask);
        if (position_embedding is not null)
        {
            items = items + position_embedding.narrow(0, 0, length);
        }

        if (Options.Dropout > 0)
        {
            items = nn.functional.dropout(items, Options.Dropout, training);
        }

        var hidden = items;
        if (sequence_encoder is not null)
        {
            var ignore = KeyPadding(itemMask);
            hidden = sequence_encoder.call(items.transpose(0, 1), null!, ignore).transpose(0, 1);
        }

        var user = MeanWeights(itemMask).unsqueeze(1).matmul(hidden).squeeze(1);
        var z = nn.functional.normalize(projection.forward(user), p: 2, dim: 1);
        return z * itemMask.any(dim: 1, keepdim: true).to(z.dtype);
    }

    private void CheckShape(UserSequenceBatch batch)
    {
        var (tokens, itemMask) = (batch.Tokens, batch.ItemMask);
        if (tokens.dim() != 3 || itemMask.dim() != 2 || itemMask.shape[0] != tokens.shape[0] || itemMask.shape[1] != tokens.shape[1])
        {
            throw new ArgumentException($"{nameof(ClueEncoder)}: tokens must be [B, L, K] and the item mask [B, L]; got [{string.Join(", ", tokens.shape)}] and [{string.Join(", ", itemMask.shape)}].", nameof(batch));
        }

        if (tokens.shape[1] > Options.MaxLength)
        {
            throw new ArgumentException($"{nameof(ClueEncoderOptions)}.{nameof(ClueEncoderOptions.MaxLength)} is {Options.MaxLength} but the batch has {tokens.shape[1]} items per user.", nameof(batch));
        }

        if (tokens.shape[2] > TokensPerItem)
        {
            throw new ArgumentException($"{nameof(ClueEncoder)} was built for {TokensPerItem} tokens per item but the batch has {tokens.shape[2]}.", nameof(batch));
        }
    }

    /// <summary>Item vectors [B, L, d]; zero where there is no item.</summary>
    private Tensor Items(Tensor tokens, Tensor itemMask)
    {
        var (b, l, k) = (tokens.shape[0], tokens.shape[1], tokens.shape[2]);
        var d = Options.Width;
        if (item_encoder is null)
        {
            var tokenMask = tokens.ne(Scalars.Zero);
            var e = token_embedding.index_select(0, tokens.reshape(-1)).view(b, l, k, d);
            return MeanWeights(tokenMask).unsqueeze(-2).matmul(e).squeeze(-2);
        }

        // Only the real items go through the item Transformer: a padded batch is mostly padding.
        var real = itemMask.reshape(-1).nonzero().squeeze(1);
        var flat = zeros(b * l, d, dtype: token_embedding.dtype, device: token_embedding.device);
        if (real.shape[0] > 0)
        {
            var itemTokens = tokens.reshape(b * l, k).index_select(0, real);
            var mask = itemTokens.ne(Scalars.Zero);
            var x = token_embedding.index_select(0, itemTokens.reshape(-1)).view(-1, k, d).transpose(0, 1);
            var h = item_encoder.call(x, null!, KeyPadding(mask)).transpose(0, 1);
            var vectors = MeanWeights(mask).unsqueeze(1).matmul(h).squeeze(1);
            flat = flat.index_copy(0, real, vectors);
        }

        return flat.view(b, l, d);
    }

    /// <summary>Weights of a masked mean over the last dimension: 1/count at real slots, 0 elsewhere (all 0 for a row without real slots).</summary>
    private static Tensor MeanWeights(Tensor mask)
    {
        var w = mask.to(ScalarType.Float32);
        return w / w.sum(dim: -1, keepdim: true).clamp_min(Scalars.One);
    }

    /// <summary>The attention key padding mask (true = ignore) for a real-slot mask [N, S]; a row without real slots keeps slot 0 so its softmax is not over −∞ only.</summary>
    private static Tensor KeyPadding(Tensor mask)
    {
        var empty = mask.any(dim: -1, keepdim: true).logical_not();
        var first = arange(mask.shape[^1], device: mask.device).eq(Scalars.Zero).unsqueeze(0);
        return mask.logical_or(first.logical_and(empty)).logical_not();
    }

    private static TransformerEncoderLayer Layer(ClueEncoderOptions options) =>
        nn.TransformerEncoderLayer(options.Width, options.Heads, options.FeedForward, options.Dropout, nn.Activations.GELU);

    private static long Count(nn.Module? module) => module?.parameters().Sum(p => p.numel()) ?? 0;
}
