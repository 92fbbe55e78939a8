using STEM.Recommenders.Scaling;

namespace STEM.Recommenders.Tests.Scaling;

// Seeded synthetic scaling curves: L = L∞ + (x / x0)^−α over three orders of magnitude with
// multiplicative Gaussian noise, so that the fitters can be checked against a known truth.
internal static class ScalingTestData
{
    public static (double[] X, double[] Loss) Curve(double alpha, double x0, double lInfinity, double noise, int seed, int points = 40, double fromX = 1e3, double decades = 3)
    {
        var random = new Random(seed);
        var x = Enumerable.Range(0, points).Select(i => fromX * Math.Pow(10, decades * i / (points - 1))).ToArray();
        var loss = x.Select(v => (lInfinity + Math.Pow(v / x0, -alpha)) * (1 + noise * Gaussian(random))).ToArray();
        return (x, loss);
    }

    public static List<(double X, double Loss, int Seed)> Seeds(double alpha, double x0, double noise, int seeds, int points = 12)
    {
        var all = new List<(double, double, int)>();
        for (var s = 0; s < seeds; s++)
        {
            var (x, loss) = Curve(alpha, x0, 0, noise, seed: 100 + s, points);
            all.AddRange(x.Zip(loss, (a, b) => (a, b, s)));
        }
        return all;
    }

    public static ScalingRun Run(string name, double compute, double loss, long parameters = 1_000_000, int batch = 64, string series = "synthetic", int seed = 0, long users = 10_000) => new()
    {
        Name = name,
        Series = series,
        Axis = "compute",
        Seed = seed,
        Parameters = parameters * 3,
        NonEmbeddingParameters = parameters,
        Compute = compute,
        Tokens = (long)(compute / (6.0 * parameters)),
        TrainingUsers = users,
        BatchSize = batch,
        SequenceLength = 32,
        Width = 64,
        Layers = 2,
        Steps = 1000,
        WallSeconds = 12.5,
        Loss = loss,
        Top1 = 0.2,
        Top10 = 0.6,
    };

    private static double Gaussian(Random random)
    {
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
        return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
