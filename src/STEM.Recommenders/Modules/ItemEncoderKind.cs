using System.Text.Json.Serialization;

namespace STEM.Recommenders.Modules;

/// <summary>How <see cref="ClueEncoder"/> turns an item's tokens into one item vector.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ItemEncoderKind>))]
public enum ItemEncoderKind
{
    /// <summary>The mean of the item's non-padding token embeddings (no parameters besides the embeddings).</summary>
    Mean,

    /// <summary>A one-layer Transformer encoder over the item's tokens, then the mean of its outputs at the non-padding tokens (the paper's item encoder).</summary>
    Transformer,
}
