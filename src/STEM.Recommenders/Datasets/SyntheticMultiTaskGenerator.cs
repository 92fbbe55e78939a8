using System.Globalization;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;

namespace STEM.Recommenders.Datasets;

/// <summary>
/// Synthetic multi-task data with controllable task correlation, as constructed in the MMoE paper
/// (Ma et al., KDD 2018, §4): with orthogonal unit vectors u₁..u_T, task weights
/// w₁ = u₁ and w_t = ρ·u₁ + √(1-ρ²)·u_t; y_t = w_tᵀx + Σᵢ sin(αᵢ w_tᵀx + βᵢ) + ε, x ~ N(0, I).
/// Labels are y_t above its median (binary tasks), plus a categorical field whose value adds a
/// per-task offset (correlated across tasks by the same ρ) so that embeddings have something to learn.
/// </summary>
public static class SyntheticMultiTaskGenerator
{
    /// <summary>The preset's name in configuration and on the command line.</summary>
    public const string Name = "synthetic";

    /// <summary>Generates a table and its schema.</summary>
    public static (DataTable Table, FeatureSchema Schema) Generate(SyntheticOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Rows < 1 || options.Dimensions < 1 || options.Tasks < 1 || options.Tasks > options.Dimensions)
        {
            throw new ArgumentException("Rows and Dimensions must be positive and Tasks in [1, Dimensions].", nameof(options));
        }

        if (options.Correlation is < -1 or > 1)
        {
            throw new ArgumentException("Correlation must be in [-1, 1].", nameof(options));
        }

        var random = new Random(options.Seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        var d = options.Dimensions;
        var t = options.Tasks;

        // Orthonormal u₁..u_T by Gram-Schmidt on Gaussian vectors.
        var u = new double[t][];
        for (var k = 0; k < t; k++)
        {
            var v = Enumerable.Range(0, d).Select(_ => Normal()).ToArray();
            for (var j = 0; j < k; j++)
            {
                var dot = v.Zip(u[j]).Sum(p => p.First * p.Second);
                for (var i = 0; i < d; i++)
                {
                    v[i] -= dot * u[j][i];
                }
            }

            var norm = Math.Sqrt(v.Sum(x => x * x));
            u[k] = v.Select(x => x / norm).ToArray();
        }

        var rho = options.Correlation;
        var w = new double[t][];
        for (var k = 0; k < t; k++)
        {
            w[k] = k == 0 ? u[0] : u[0].Zip(u[k]).Select(p => rho * p.First + Math.Sqrt(1 - rho * rho) * p.Second).ToArray();
        }

        var alpha = Enumerable.Range(0, options.SineTerms).Select(_ => Normal()).ToArray();
        var beta = Enumerable.Range(0, options.SineTerms).Select(_ => Normal()).ToArray();
        // Per-category offsets are correlated across tasks by the same ρ, so the knob keeps its meaning.
        var offsets = Enumerable.Range(0, options.CategoricalCardinality).Select(_ =>
        {
            var raw = Enumerable.Range(0, t).Select(_ => 0.5 * Normal()).ToArray();
            return raw.Select((o, k) => k == 0 ? o : rho * raw[0] + Math.Sqrt(1 - rho * rho) * o).ToArray();
        }).ToArray();

        var n = options.Rows;
        var x = new string?[d][];
        for (var i = 0; i < d; i++)
        {
            x[i] = new string?[n];
        }

        var category = new string?[n];
        var group = new string?[n];
        var scores = new double[t][];
        for (var k = 0; k < t; k++)
        {
            scores[k] = new double[n];
        }

        var row = new double[d];
        for (var r = 0; r < n; r++)
        {
            for (var i = 0; i < d; i++)
            {
                row[i] = Normal();
                x[i][r] = row[i].ToString("R", CultureInfo.InvariantCulture);
            }

            var c = random.Next(options.CategoricalCardinality);
            category[r] = c.ToString(CultureInfo.InvariantCulture);
            group[r] = random.Next(options.Groups).ToString(CultureInfo.InvariantCulture);
            for (var k = 0; k < t; k++)
            {
                var wx = 0.0;
                for (var i = 0; i < d; i++)
                {
                    wx += w[k][i] * row[i];
                }

                var y = wx + offsets[c][k] + 0.1 * Normal();
                for (var m = 0; m < options.SineTerms; m++)
                {
                    y += Math.Sin(alpha[m] * wx + beta[m]);
                }

                scores[k][r] = y;
            }
        }

        var columns = new List<KeyValuePair<string, string?[]>>();
        for (var i = 0; i < d; i++)
        {
            columns.Add(new($"x{i}", x[i]));
        }

        columns.Add(new("category", category));
        columns.Add(new("group", group));
        for (var k = 0; k < t; k++)
        {
            var median = scores[k].Order().ElementAt(n / 2);
            columns.Add(new($"task{k}", scores[k].Select(s => s > median ? "1" : "0").ToArray()));
        }

        var features = Enumerable.Range(0, d)
            .Select(i => (FeatureSpec)new NumericFeature { Name = $"x{i}", Scaling = NumericScaling.None })
            .Append(new CategoricalFeature { Name = "category" })
            .ToArray();
        var schema = new FeatureSchema
        {
            Features = features,
            Tasks = Enumerable.Range(0, t).Select(k => new TaskSpec { Name = $"task{k}" }).ToArray(),
            GroupColumn = "group",
        };
        return (DataTable.FromColumns($"synthetic(seed={options.Seed}, rho={rho.ToString(CultureInfo.InvariantCulture)})", columns), schema);
    }

    /// <summary>Generates a table and splits it 70/15/15 in row order (rows are i.i.d.).</summary>
    public static PresetSplits GenerateSplits(SyntheticOptions options)
    {
        var (table, schema) = Generate(options);
        var n = table.RowCount;
        var trainEnd = (int)(n * 0.7);
        var validationEnd = (int)(n * 0.85);
        return new PresetSplits(
            Name,
            schema,
            table.Select(Enumerable.Range(0, trainEnd).ToArray()),
            table.Select(Enumerable.Range(trainEnd, validationEnd - trainEnd).ToArray()),
            table.Select(Enumerable.Range(validationEnd, n - validationEnd).ToArray()));
    }
}
