using System.Diagnostics;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

/// <summary>Which product of a linear layer: forward X·W, the input gradient dY·Wᵀ, the weight gradient Xᵀ·dY.</summary>
internal enum GemmProduct
{
    Forward,
    InputGradient,
    WeightGradient,
}

/// <summary>The measured rate of one product of one [rows, in] × [in, out] layer in one element type.</summary>
internal sealed record GemmRate(int Rows, int In, int Out, GemmProduct Product, ScalarType Type, double Gflops)
{
    public double Flops => 2.0 * Rows * In * Out;
}

/// <summary>
/// Matrix-product rates through LibTorch at the current thread count: the three products of a
/// linear layer as autograd runs them (mm with transposed views, no copies), and a square product.
/// </summary>
internal static class GemmRates
{
    /// <summary>The three products of a [rows, in] × [in, out] layer, each the best of <paramref name="rounds"/> rounds of ≥ <paramref name="minSeconds"/>.</summary>
    public static IReadOnlyList<GemmRate> Layer(int rows, int input, int output, ScalarType type, int rounds = 3, double minSeconds = 0.2)
    {
        using var scope = NewDisposeScope();
        var x = randn(rows, input).to(type);
        var w = randn(input, output).to(type);
        var dy = randn(rows, output).to(type);
        return
        [
            new GemmRate(rows, input, output, GemmProduct.Forward, type, Rate(() => mm(x, w), 2.0 * rows * input * output, rounds, minSeconds)),
            new GemmRate(rows, input, output, GemmProduct.InputGradient, type, Rate(() => mm(dy, w.t()), 2.0 * rows * input * output, rounds, minSeconds)),
            new GemmRate(rows, input, output, GemmProduct.WeightGradient, type, Rate(() => mm(x.t(), dy), 2.0 * rows * input * output, rounds, minSeconds)),
        ];
    }

    /// <summary>An n × n × n product's rate, best of <paramref name="rounds"/> rounds.</summary>
    public static double Square(int n, ScalarType type, int rounds = 3, double minSeconds = 0.5)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n).to(type);
        var b = randn(n, n).to(type);
        return Rate(() => mm(a, b), 2.0 * n * n * n, rounds, minSeconds);
    }

    /// <summary>GFLOP/s of the best round; a round repeats the product until <paramref name="minSeconds"/> have passed.</summary>
    private static double Rate(Func<Tensor> product, double flops, int rounds, double minSeconds)
    {
        product().Dispose(); // warm-up: allocator, thread pool, packing buffers
        var best = 0.0;
        for (var r = 0; r < rounds; r++)
        {
            var runs = 0;
            var clock = Stopwatch.StartNew();
            do
            {
                product().Dispose();
                runs++;
            }
            while (clock.Elapsed.TotalSeconds < minSeconds);

            best = Math.Max(best, flops * runs / clock.Elapsed.TotalSeconds / 1e9);
        }

        return best;
    }

    /// <summary>
    /// The rate at which a mix of products runs when each takes its own measured time: total FLOP
    /// over Σ FLOP_i / rate_i (a harmonic mean weighted by FLOP).
    /// </summary>
    public static double Mix(IEnumerable<(double Flops, double Gflops)> parts)
    {
        double flops = 0, seconds = 0;
        foreach (var (f, rate) in parts)
        {
            flops += f;
            seconds += f / (rate * 1e9);
        }

        return seconds == 0 ? 0 : flops / seconds / 1e9;
    }
}
