using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using STEM.Recommenders.Data;
using STEM.Recommenders.Onnx.Pipeline;

namespace STEM.Recommenders.Onnx.Serving;

/// <summary>
/// Rows → the string tensors of a raw-input graph, with the checks the pipeline makes before it
/// encodes (numbers finite, transforms in their domain), so that bad values are errors naming the
/// row and column rather than ONNX Runtime failures. Multi-valued cells are split as the pipeline
/// splits them (separator, trimmed, empty values dropped, the first MaxLength kept).
/// </summary>
internal static class RawInputEncoder
{
    public static List<NamedOnnxValue> Encode(IReadOnlyList<RawInput> inputs, DataTable table)
    {
        var n = table.RowCount;
        var values = new List<NamedOnnxValue>(inputs.Count);
        foreach (var input in inputs)
        {
            var column = table.Column(input.Column);
            if (input.Kind == RawInputKind.Values)
            {
                var cells = new string[n * input.MaxLength];
                Array.Fill(cells, string.Empty);
                for (var r = 0; r < n; r++)
                {
                    if (column[r] is not { } raw)
                    {
                        continue;
                    }

                    var s = 0;
                    foreach (var part in raw.Split(input.Separator!, StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
                    {
                        if (s == input.MaxLength)
                        {
                            break;
                        }

                        cells[(r * input.MaxLength) + s++] = part;
                    }
                }

                values.Add(NamedOnnxValue.CreateFromTensor(input.Column, new DenseTensor<string>(cells, [n, input.MaxLength])));
                continue;
            }

            var cellsOfRow = new string[n];
            for (var r = 0; r < n; r++)
            {
                var raw = column[r];
                if (raw is not null && input.Numeric)
                {
                    Check(column, r, raw, input);
                }

                cellsOfRow[r] = raw ?? string.Empty;
            }

            values.Add(NamedOnnxValue.CreateFromTensor(input.Column, new DenseTensor<string>(cellsOfRow, [n])));
        }

        CheckVectors(inputs, table);
        return values;
    }

    /// <summary>A dense vector is complete or absent, as the pipeline requires.</summary>
    private static void CheckVectors(IReadOnlyList<RawInput> inputs, DataTable table)
    {
        foreach (var vector in inputs.Where(i => i.Vector is not null).GroupBy(i => i.Vector!, StringComparer.Ordinal))
        {
            var components = vector.Select(i => table.Column(i.Column)).ToArray();
            for (var r = 0; r < table.RowCount; r++)
            {
                var missing = components.Count(c => c[r] is null);
                if (missing > 0 && missing < components.Length)
                {
                    var first = components.First(c => c[r] is null);
                    throw new DataFormatException(first.LocationOf(r), $"dense vector '{vector.Key}' has {missing} of {components.Length} components missing (a vector is either complete or absent)");
                }
            }
        }
    }

    private static void Check(DataColumn column, int row, string raw, RawInput input)
    {
        if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) || !double.IsFinite(number))
        {
            throw new DataFormatException(column.LocationOf(row), $"'{raw}' is not a number (column '{input.Column}')");
        }

        if (input.Log2Scale is { } scale && !((number * scale) + 1 > 0))
        {
            throw new DataFormatException(column.LocationOf(row), $"'{raw}' is outside the domain of Log2Bucket (column '{input.Column}')");
        }
    }
}
