using System.Text.Json;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// One named ablation of the <c>variants</c> section: a model (the experiment's by default) plus
/// option overrides, each a JSON path into the experiment document with its value. <c>stem compare
/// --variants</c> runs it as its own row under <see cref="Name"/>.
/// </summary>
public sealed record VariantConfig
{
    /// <summary>The row's name in the comparison (letters, digits, '.', '_', '+', '-').</summary>
    public string Name { get; init; } = string.Empty;

    /// <summary>A model catalog name; the experiment's model (with its options) when not given, another model's defaults otherwise.</summary>
    public string? Model { get; init; }

    /// <summary>JSON path → value, applied to the experiment document.</summary>
    public IReadOnlyDictionary<string, JsonElement> Overrides { get; init; } = new Dictionary<string, JsonElement>();
}
