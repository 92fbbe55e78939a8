using Onnx;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>
/// The raw string inputs of a graph, one per source column: [B] for a single value, [B, L] for a
/// multi-valued column given pre-split (L values, "" for none). A column read by several fields is
/// one input.
/// </summary>
internal sealed class RawColumns(OnnxGraph graph)
{
    private readonly Dictionary<string, RawInput> _inputs = new(StringComparer.Ordinal);

    public IReadOnlyCollection<RawInput> Inputs => _inputs.Values;

    /// <summary>A [B] string input.</summary>
    public string Value(string column, bool numeric = false, double? log2Scale = null, string? vector = null) => Add(new RawInput(column, RawInputKind.Value, 1, null, numeric, log2Scale, vector));

    /// <summary>A [B, maxLength] string input of pre-split values.</summary>
    public string Values(string column, int maxLength, string separator) => Add(new RawInput(column, RawInputKind.Values, maxLength, separator, false, null));

    private string Add(RawInput input)
    {
        if (_inputs.TryGetValue(input.Column, out var known))
        {
            if (known.Kind != input.Kind || known.MaxLength != input.MaxLength)
            {
                throw new NotSupportedException($"column '{input.Column}' is read both as one value and as a list of values");
            }

            // Several fields read one column: it is validated for every one of them.
            _inputs[input.Column] = known with { Numeric = known.Numeric || input.Numeric, Log2Scale = known.Log2Scale ?? input.Log2Scale, Vector = known.Vector ?? input.Vector };
            return input.Column;
        }

        _inputs[input.Column] = input;
        if (input.Kind == RawInputKind.Value)
        {
            graph.Input(input.Column, TensorProto.Types.DataType.String, "batch");
        }
        else
        {
            graph.Input(input.Column, TensorProto.Types.DataType.String, "batch", input.MaxLength);
        }

        return input.Column;
    }
}

/// <summary>What one raw input is (recorded in the model's metadata for callers and for <see cref="Serving.OnnxPredictor"/>).</summary>
/// <param name="Column">The column (and input) name.</param>
/// <param name="Kind">One value per row, or a pre-split list.</param>
/// <param name="MaxLength">Values per row of a list (1 for a single value).</param>
/// <param name="Separator">The separator the pipeline splits a cell on (a list input).</param>
/// <param name="Numeric">Whether the value must be a finite number (or empty for missing).</param>
/// <param name="Log2Scale">The scale s of a floor(log2(x·s + 1)) transform, whose domain is x·s + 1 &gt; 0.</param>
/// <param name="Vector">The dense vector this column is a component of (its components are all present or all missing), or null.</param>
internal sealed record RawInput(string Column, RawInputKind Kind, int MaxLength, string? Separator, bool Numeric, double? Log2Scale, string? Vector = null);

/// <summary>The shapes a raw input takes.</summary>
internal enum RawInputKind
{
    /// <summary>string [B].</summary>
    Value,

    /// <summary>string [B, L], pre-split and padded with "".</summary>
    Values,
}
