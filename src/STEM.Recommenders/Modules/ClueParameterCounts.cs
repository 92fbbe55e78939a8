namespace STEM.Recommenders.Modules;

/// <summary>
/// Parameters of a <see cref="ClueEncoder"/> by part, for scaling-law reports and the FLOP estimate
/// of <c>Pretraining.ClueCompute</c> (a layer above this one). "Embedding" parameters are the two lookup tables
/// (a step touches only a few of their rows); everything else is "non-embedding" (Kaplan et al.).
/// </summary>
/// <param name="TokenEmbedding">The token table, V · d (row 0, the padding row, included).</param>
/// <param name="PositionEmbedding">The position table, MaxLength · d, or 0 without position encoding.</param>
/// <param name="ItemEncoder">The item Transformer layer, or 0 for the mean item encoder.</param>
/// <param name="SequenceEncoder">The sequence Transformer layers (0 when there are none).</param>
/// <param name="Projection">The output Linear, d · OutputDim + OutputDim.</param>
public sealed record ClueParameterCounts(long TokenEmbedding, long PositionEmbedding, long ItemEncoder, long SequenceEncoder, long Projection)
{
    /// <summary>Token and position tables.</summary>
    public long Embedding => TokenEmbedding + PositionEmbedding;

    /// <summary>Everything except the token and position tables.</summary>
    public long NonEmbedding => ItemEncoder + SequenceEncoder + Projection;

    /// <summary>All parameters.</summary>
    public long Total => Embedding + NonEmbedding;

    /// <summary>
    /// Parameters of one TorchSharp (LibTorch) Transformer encoder layer of width d and feed-forward
    /// width f: attention in-projection 3d² + 3d, out-projection d² + d, feed-forward 2df + f + d,
    /// two layer norms 4d; in all 4d² + 2df + 9d + f.
    /// </summary>
    /// <param name="width">d.</param>
    /// <param name="feedForward">f.</param>
    public static long TransformerLayer(long width, long feedForward) =>
        (4 * width * width) + (2 * width * feedForward) + (9 * width) + feedForward;

    /// <summary>The counts an encoder with these options would have, without building it (the same numbers as <see cref="ClueEncoder.ParameterCounts"/>).</summary>
    /// <param name="options">The encoder's shape.</param>
    /// <param name="vocabularySize">V, token ids 0 (padding) to V − 1.</param>
    public static ClueParameterCounts FromOptions(ClueEncoderOptions options, long vocabularySize)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThan(vocabularySize, 2);
        long d = options.Width;
        var layer = TransformerLayer(d, options.FeedForward);
        return new ClueParameterCounts(
            TokenEmbedding: vocabularySize * d,
            PositionEmbedding: options.PositionEncoding ? options.MaxLength * d : 0,
            ItemEncoder: options.ItemEncoder == ItemEncoderKind.Transformer ? layer : 0,
            SequenceEncoder: options.Layers * layer,
            Projection: (d * options.OutputDim) + options.OutputDim);
    }
}
