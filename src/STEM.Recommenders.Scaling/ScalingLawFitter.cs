using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace STEM.Recommenders.Scaling;

/// <summary>
/// Fits scaling laws to (x, loss) points: the plain power law L = (x / x0)^−α (Kaplan et al.) and the
/// saturating form L = L∞ + (x / x0)^−α (power law plus a constant, Ardalani et al. 2022), with
/// bootstrap intervals for α.
/// </summary>
public static class ScalingLawFitter
{
    // Fractions of min L used as starting values of L∞: the loss surface is often flat along the
    // L∞–α valley, so several starts keep a poor first guess from deciding the answer.
    private static readonly double[] LInfinityStarts = [0.0, 0.25, 0.5, 0.75, 0.9, 0.97];

    /// <summary>
    /// Fits L = (x / x0)^−α by ordinary least squares of log L on log x.
    /// </summary>
    /// <param name="x">The scale variable (compute, data, parameters, ...); positive.</param>
    /// <param name="loss">The loss at each x; positive.</param>
    /// <returns>α, x0, R² in log space, RMSE in loss units and the point count.</returns>
    /// <exception cref="ArgumentException">Fewer than 2 points, lengths differ, a value is not positive and finite, all x are equal, or the loss does not change with x.</exception>
    public static PowerLawFit FitPowerLaw(IReadOnlyList<double> x, IReadOnlyList<double> loss)
    {
        Validate(x, loss, 2);
        var t = x.Select(v => Math.Log(v)).ToArray();
        var y = loss.Select(v => Math.Log(v)).ToArray();
        var (intercept, slope) = LogLinear(t, y, nameof(x));
        if (slope == 0)
        {
            throw new ArgumentException("The loss does not change with x, so no power law fits it.", nameof(loss));
        }
        var alpha = -slope;
        // log L = α log x0 − α log x, so log x0 = intercept / α.
        var x0 = Math.Exp(intercept / alpha);
        var fit = new PowerLawFit(alpha, x0, 0, 0, 0, x.Count, Saturating: false);
        return WithQuality(fit, x, loss);
    }

    /// <summary>
    /// Fits L = L∞ + (x / x0)^−α by nonlinear least squares (Levenberg–Marquardt) on the relative
    /// residuals log L − log L̂, so that 1 % noise weighs the same at every scale.
    /// </summary>
    /// <remarks>
    /// The parameters are constrained by construction: α = exp(a) &gt; 0, x0 &gt; 0 through its
    /// logarithm, and L∞ = min L · σ(s) with σ the logistic function, so 0 &lt; L∞ &lt; min L. The
    /// optimiser starts from the log-space fit of log(L − L∞) for several L∞ and keeps the best.
    /// </remarks>
    /// <param name="x">The scale variable; positive.</param>
    /// <param name="loss">The loss at each x; positive.</param>
    /// <returns>α, x0, L∞, R² in log space, RMSE in loss units and the point count.</returns>
    /// <exception cref="ArgumentException">Fewer than 3 points, lengths differ, a value is not positive and finite, or all x are equal.</exception>
    public static PowerLawFit FitSaturatingPowerLaw(IReadOnlyList<double> x, IReadOnlyList<double> loss)
    {
        Validate(x, loss, 3);
        var logX = x.Select(v => Math.Log(v)).ToArray();
        // Centring log x decouples the amplitude from α; otherwise log x0 and α trade off over
        // many orders of magnitude and the Jacobian is badly conditioned.
        var centre = logX.Average();
        var t = Vector<double>.Build.DenseOfEnumerable(logX.Select(v => v - centre));
        var y = Vector<double>.Build.DenseOfEnumerable(loss.Select(v => Math.Log(v)));
        var minLoss = loss.Min();
        if (logX.Max() - logX.Min() == 0)
        {
            throw new ArgumentException("All x are equal, so no scaling law can be fitted.", nameof(x));
        }

        // p = (a, log A, s): L̂ = min L · σ(s) + A · exp(−exp(a) · t).
        Vector<double> Model(Vector<double> p, Vector<double> tt)
        {
            var alpha = Math.Exp(p[0]);
            var floor = minLoss * Logistic(p[2]);
            return tt.Map(v => Math.Log(floor + Math.Exp(p[1] - alpha * v)));
        }

        var minimizer = new LevenbergMarquardtMinimizer(maximumIterations: 2000);
        double[]? best = null;
        var bestCost = double.PositiveInfinity;
        foreach (var fraction in LInfinityStarts)
        {
            var floor = fraction * minLoss;
            var (intercept, slope) = LogLinear(t.ToArray(), loss.Select(l => Math.Log(l - floor)).ToArray(), nameof(x));
            var start = Vector<double>.Build.Dense([
                Math.Log(Math.Max(-slope, 1e-3)),
                intercept,
                fraction == 0 ? -12 : Math.Log(fraction / (1 - fraction)),
            ]);
            double[] point;
            try
            {
                var objective = ObjectiveFunction.NonlinearModel(Model, t, y);
                point = minimizer.FindMinimum(objective, start).MinimizingPoint.ToArray();
            }
            catch (Exception e) when (e is MaximumIterationsException or ArithmeticException)
            {
                continue;
            }
            var residual = Model(Vector<double>.Build.Dense(point), t) - y;
            var cost = residual.DotProduct(residual);
            if (double.IsFinite(cost) && cost < bestCost)
            {
                bestCost = cost;
                best = point;
            }
        }
        if (best is null)
        {
            throw new ArgumentException("The saturating power law could not be fitted to these points.", nameof(loss));
        }
        var fittedAlpha = Math.Exp(best[0]);
        // A · exp(−α t) = (x / x0)^−α with t = log x − centre gives log x0 = centre + log A / α.
        var x0 = Math.Exp(centre + best[1] / fittedAlpha);
        var fit = new PowerLawFit(fittedAlpha, x0, minLoss * Logistic(best[2]), 0, 0, x.Count, Saturating: true);
        return WithQuality(fit, x, loss);
    }

    /// <summary>
    /// A bootstrap percentile interval for α: resamples with replacement — whole seed groups when the
    /// points come from several seeds (repeats of one sweep are not independent points), single
    /// points otherwise — refits each resample and takes the percentiles of the refitted α.
    /// </summary>
    /// <param name="points">The points with the seed of the run each came from.</param>
    /// <param name="saturating">Whether to fit the saturating form instead of the plain power law.</param>
    /// <param name="resamples">Bootstrap resamples (at least 10).</param>
    /// <param name="seed">Seed of the resampling, so that intervals are reproducible.</param>
    /// <param name="level">Coverage of the interval, in (0, 1).</param>
    /// <returns>The estimate on all points and the interval.</returns>
    /// <exception cref="ArgumentException">Bad points (as for the fits), fewer than 10 resamples, a level outside (0, 1), or fewer than half of the resamples could be fitted.</exception>
    public static AlphaInterval BootstrapAlpha(
        IReadOnlyList<(double X, double Loss, int Seed)> points,
        bool saturating,
        int resamples = 1000,
        int seed = 2023,
        double level = 0.95)
    {
        ArgumentNullException.ThrowIfNull(points);
        if (resamples < 10)
        {
            throw new ArgumentException($"resamples must be at least 10, got {resamples}.", nameof(resamples));
        }
        if (!(level > 0 && level < 1))
        {
            throw new ArgumentException($"level must lie in (0, 1), got {level}.", nameof(level));
        }
        Func<IReadOnlyList<double>, IReadOnlyList<double>, PowerLawFit> fitter = saturating ? FitSaturatingPowerLaw : FitPowerLaw;
        PowerLawFit estimate;
        try
        {
            estimate = fitter(points.Select(p => p.X).ToArray(), points.Select(p => p.Loss).ToArray());
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message, nameof(points), e);
        }

        var groups = points.GroupBy(p => p.Seed).Select(g => g.ToArray()).ToArray();
        var byGroup = groups.Length > 1;
        var units = byGroup ? groups : points.Select(p => new[] { p }).ToArray();
        var random = new Random(seed);
        var alphas = new List<double>(resamples);
        for (var r = 0; r < resamples; r++)
        {
            var xs = new List<double>(points.Count);
            var ls = new List<double>(points.Count);
            for (var i = 0; i < units.Length; i++)
            {
                foreach (var p in units[random.Next(units.Length)])
                {
                    xs.Add(p.X);
                    ls.Add(p.Loss);
                }
            }
            try
            {
                alphas.Add(fitter(xs, ls).Alpha);
            }
            catch (ArgumentException)
            {
                // A resample can hold too few distinct x to fit (e.g. one point drawn n times);
                // it is left out, and too many of them fail the whole interval below.
            }
        }
        if (alphas.Count < resamples / 2)
        {
            throw new ArgumentException($"Only {alphas.Count} of {resamples} bootstrap resamples could be fitted; too few distinct points.", nameof(points));
        }
        alphas.Sort();
        var tail = (1 - level) / 2;
        return new AlphaInterval(estimate.Alpha, Percentile(alphas, tail), Percentile(alphas, 1 - tail), level, alphas.Count, byGroup);
    }

    private static double Logistic(double s) => 1 / (1 + Math.Exp(-s));

    // Linear interpolation between order statistics (type 7, as in R's default quantile).
    private static double Percentile(List<double> sorted, double q)
    {
        var h = (sorted.Count - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    private static (double Intercept, double Slope) LogLinear(double[] t, double[] y, string xName)
    {
        var mt = t.Average();
        var my = y.Average();
        double sxx = 0, sxy = 0;
        for (var i = 0; i < t.Length; i++)
        {
            sxx += (t[i] - mt) * (t[i] - mt);
            sxy += (t[i] - mt) * (y[i] - my);
        }
        if (sxx == 0)
        {
            throw new ArgumentException("All x are equal, so no scaling law can be fitted.", xName);
        }
        var slope = sxy / sxx;
        return (my - slope * mt, slope);
    }

    private static PowerLawFit WithQuality(PowerLawFit fit, IReadOnlyList<double> x, IReadOnlyList<double> loss)
    {
        var logLoss = loss.Select(v => Math.Log(v)).ToArray();
        var mean = logLoss.Average();
        double ssRes = 0, ssTot = 0, sq = 0;
        for (var i = 0; i < x.Count; i++)
        {
            var predicted = fit.Predict(x[i]);
            ssRes += Math.Pow(logLoss[i] - Math.Log(predicted), 2);
            ssTot += Math.Pow(logLoss[i] - mean, 2);
            sq += Math.Pow(loss[i] - predicted, 2);
        }
        var r2 = ssTot == 0 ? 1 : 1 - ssRes / ssTot;
        return fit with { RSquared = r2, Rmse = Math.Sqrt(sq / x.Count) };
    }

    private static void Validate(IReadOnlyList<double> x, IReadOnlyList<double> loss, int minimum)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(loss);
        if (x.Count != loss.Count)
        {
            throw new ArgumentException($"x has {x.Count} values but loss has {loss.Count}.", nameof(loss));
        }
        if (x.Count < minimum)
        {
            throw new ArgumentException($"At least {minimum} points are needed, got {x.Count}.", nameof(x));
        }
        for (var i = 0; i < x.Count; i++)
        {
            if (!(double.IsFinite(x[i]) && x[i] > 0))
            {
                throw new ArgumentException($"x[{i}] = {x[i]} is not a positive finite number.", nameof(x));
            }
            if (!(double.IsFinite(loss[i]) && loss[i] > 0))
            {
                throw new ArgumentException($"loss[{i}] = {loss[i]} is not a positive finite number.", nameof(loss));
            }
        }
    }
}
