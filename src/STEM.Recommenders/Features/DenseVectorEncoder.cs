using STEM.Recommenders.Data;

namespace STEM.Recommenders.Features;

/// <summary>
/// Encodes a <see cref="DenseVectorFeature"/> as D + 1 weighted slots: slot j holds row j with the
/// (standardised) component j as its weight, slot D holds the "missing" row with weight 1 when the
/// row has no vector and 0 otherwise. Sum-pooling these slots in the embedding bank is exactly a
/// linear projection of the vector plus a missing-vector embedding.
/// </summary>
internal sealed class DenseVectorEncoder : FieldEncoder
{
    private readonly DenseVectorFeature _spec;
    private readonly double[] _mean;
    private readonly double[] _scale;

    public DenseVectorEncoder(FittedFeature fitted)
        : base(fitted)
    {
        _spec = (DenseVectorFeature)fitted.Spec;
        var d = _spec.Dimension;
        _mean = fitted.ComponentMeans?.ToArray() ?? new double[d];
        var std = fitted.ComponentStandardDeviations?.ToArray() ?? Enumerable.Repeat(1.0, d).ToArray();
        if (_mean.Length != d || std.Length != d)
        {
            throw new ArgumentException($"Feature '{_spec.Name}': {d} component columns but {_mean.Length} means and {std.Length} standard deviations.");
        }

        _scale = std.Select(s => 1.0 / s).ToArray();
    }

    public override bool ProducesWeights => true;

    internal sealed class Fitter(DenseVectorFeature spec) : FieldFitter
    {
        private readonly double[] _sum = new double[spec.Columns.Count];
        private readonly double[] _squares = new double[spec.Columns.Count];
        private readonly double[] _vector = new double[spec.Columns.Count];
        private long _present;

        public override void Add(DataTable chunk, int start, int end)
        {
            var columns = spec.Columns.Select(chunk.Column).ToArray();
            var d = columns.Length;

            // Every row of the vector table is checked (numbers, all-or-none), not only joined ones.
            ValidateSideRows(chunk, columns, (stored, s) => _ = Read(spec, stored, s, _vector));

            for (var r = start; r < end; r++)
            {
                if (!Read(spec, columns, r, _vector))
                {
                    continue;
                }

                _present++;
                for (var j = 0; j < d; j++)
                {
                    _sum[j] += _vector[j];
                    _squares[j] += _vector[j] * _vector[j];
                }
            }
        }

        public override FieldEncoder Finish()
        {
            if (!spec.Standardize)
            {
                return new DenseVectorEncoder(new FittedFeature { Spec = spec });
            }

            var d = _sum.Length;
            var mean = new double[d];
            var std = new double[d];
            for (var j = 0; j < d; j++)
            {
                mean[j] = _present == 0 ? 0 : _sum[j] / _present;
                var variance = _present == 0 ? 0 : (_squares[j] / _present) - (mean[j] * mean[j]);

                // A constant component (or no training row with a vector) keeps scale 1 instead of dividing by zero.
                std[j] = variance > 1e-12 ? Math.Sqrt(variance) : 1.0;
            }

            return new DenseVectorEncoder(new FittedFeature { Spec = spec, ComponentMeans = mean, ComponentStandardDeviations = std });
        }
    }

    public override void Encode(DataTable table, int start, int end, long[] ids, float[]? weights, int stride, int firstSlot, long offset)
    {
        var columns = _spec.Columns.Select(table.Column).ToArray();
        var d = columns.Length;
        var vector = new double[d];
        for (var r = start; r < end; r++)
        {
            var at = (long)r * stride + firstSlot;
            var found = Read(_spec, columns, r, vector);
            for (var j = 0; j < d; j++)
            {
                ids[at + j] = offset + j;
                weights![at + j] = found ? (float)((vector[j] - _mean[j]) * _scale[j]) : 0f;
            }

            ids[at + d] = offset + d;
            weights![at + d] = found ? 0f : 1f;
        }
    }

    protected override void Encode(DataColumn column, int start, int end, long[] ids, float[]? weights, int stride, int firstSlot, long offset) =>
        throw new NotSupportedException("A dense vector reads several columns; use the table overload.");

    /// <summary>Reads row r's components; false when every component is missing (no vector for the key).</summary>
    /// <exception cref="DataFormatException">Some but not all components are missing, or one is not a finite number.</exception>
    private static bool Read(DenseVectorFeature spec, DataColumn[] columns, int row, double[] vector)
    {
        var missing = 0;
        for (var j = 0; j < columns.Length; j++)
        {
            if (RawNumber(columns[j], row, spec.Name) is not { } number)
            {
                missing++;
                continue;
            }

            vector[j] = number;
        }

        if (missing == 0)
        {
            return true;
        }

        if (missing == columns.Length)
        {
            return false;
        }

        var first = columns.First(c => c[row] is null);
        throw new DataFormatException(first.LocationOf(row), $"dense vector '{spec.Name}' has {missing} of {columns.Length} components missing (a vector is either complete or absent)");
    }
}
