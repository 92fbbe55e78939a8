namespace STEM.Recommenders.Modules;

/// <summary>
/// Shape of a <see cref="ClueEncoder"/>. The defaults are a small model for our data-limited
/// regime (the paper's sizes are not published beyond about 725 M parameters in total): width 64,
/// mean item encoder, 2 sequence layers of 4 heads, feed-forward 256, 64 positions, output 64,
/// dropout 0.1, learned positions.
/// </summary>
public sealed record ClueEncoderOptions
{
    /// <summary>Upper bound of <see cref="Width"/>, <see cref="OutputDim"/> and <see cref="MaxLength"/>: larger values are configuration mistakes, not models this library trains.</summary>
    public const int MaxSize = 4096;

    /// <summary>Upper bound of <see cref="Layers"/>.</summary>
    public const int MaxLayers = 48;

    /// <summary>Upper bound of <see cref="FeedForward"/>.</summary>
    public const int MaxFeedForward = 65536;

    /// <summary>Model width d: the token embedding width and the width of every Transformer layer. Default 64.</summary>
    public int Width { get; init; } = 64;

    /// <summary>How an item's tokens become one item vector. Default <see cref="ItemEncoderKind.Mean"/>.</summary>
    public ItemEncoderKind ItemEncoder { get; init; } = ItemEncoderKind.Mean;

    /// <summary>Transformer layers over the item sequence; 0 means none (the user vector is then the mean of the item vectors). Default 2.</summary>
    public int Layers { get; init; } = 2;

    /// <summary>Attention heads of every Transformer layer; must divide <see cref="Width"/>. Default 4.</summary>
    public int Heads { get; init; } = 4;

    /// <summary>Hidden width of every Transformer layer's feed-forward block. Default 256.</summary>
    public int FeedForward { get; init; } = 256;

    /// <summary>Most items per user sequence (the number of learned positions); longer batches are rejected. Default 64.</summary>
    public int MaxLength { get; init; } = 64;

    /// <summary>Width of the projected, L2-normalised user vector. Default 64.</summary>
    public int OutputDim { get; init; } = 64;

    /// <summary>Dropout inside the Transformer layers and on the item vectors, in [0, 1). Default 0.1.</summary>
    public double Dropout { get; init; } = 0.1;

    /// <summary>Add learned absolute position embeddings to the item vectors. Without them the user vector does not depend on the order of the items; with <see cref="Layers"/> = 0 it does not either (the mean of the items then only shifts by the mean of the first n positions, a length signal). Default true.</summary>
    public bool PositionEncoding { get; init; } = true;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        Require(Width is >= 1 and <= MaxSize, nameof(Width), $"must be in [1, {MaxSize}]");
        Require(Enum.IsDefined(ItemEncoder), nameof(ItemEncoder), "must be Mean or Transformer");
        Require(Layers is >= 0 and <= MaxLayers, nameof(Layers), $"must be in [0, {MaxLayers}]");
        Require(Heads is >= 1 && Heads <= Width, nameof(Heads), "must be in [1, Width]");
        Require(Width % Heads == 0, nameof(Heads), "must divide Width");
        Require(FeedForward is >= 1 and <= MaxFeedForward, nameof(FeedForward), $"must be in [1, {MaxFeedForward}]");
        Require(MaxLength is >= 1 and <= MaxSize, nameof(MaxLength), $"must be in [1, {MaxSize}]");
        Require(OutputDim is >= 1 and <= MaxSize, nameof(OutputDim), $"must be in [1, {MaxSize}]");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), "must be in [0, 1)");
    }

    private void Require(bool condition, string option, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{GetType().Name}.{option} {rule}.", option);
        }
    }
}
