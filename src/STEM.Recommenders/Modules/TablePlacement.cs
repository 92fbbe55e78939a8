using System.Text.Json.Serialization;

namespace STEM.Recommenders.Modules;

/// <summary>Where an <see cref="EmbeddingBank"/> keeps its tables (and so where their optimizer state lives).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TablePlacement>))]
public enum TablePlacement
{
    /// <summary>The tables move with the model (<c>model.to(device)</c>): everything on one device. Default.</summary>
    Device,

    /// <summary>
    /// The tables and their optimizer moments stay in host memory whatever device the model is moved
    /// to; a lookup gathers the batch's unique rows on the host and copies them to the batch's device,
    /// and their gradients come back to the host for the row-sparse update. For tables larger than
    /// the GPU (docs/scale-out.md).
    /// </summary>
    Host,
}
