namespace STEM.Recommenders.Scaling;

/// <summary>
/// A fitted scaling law L(x) = L∞ + (x / x0)^−α; for the plain power law <see cref="LInfinity"/> is 0.
/// </summary>
/// <param name="Alpha">The exponent α: how fast the loss falls with x.</param>
/// <param name="X0">The scale x0 at which the reducible loss is 1.</param>
/// <param name="LInfinity">The irreducible loss L∞ (0 for the plain power law).</param>
/// <param name="RSquared">R² of log L against the fitted log L.</param>
/// <param name="Rmse">Root mean squared error of the fitted L, in loss units.</param>
/// <param name="Count">Points fitted.</param>
/// <param name="Saturating">Whether the fit includes the constant L∞.</param>
public sealed record PowerLawFit(double Alpha, double X0, double LInfinity, double RSquared, double Rmse, int Count, bool Saturating)
{
    /// <summary>The fitted loss at <paramref name="x"/>.</summary>
    /// <param name="x">A positive x.</param>
    /// <returns>L∞ + (x / x0)^−α.</returns>
    public double Predict(double x) => LInfinity + Math.Exp(-Alpha * (Math.Log(x) - Math.Log(X0)));

    /// <summary>The law as text, e.g. <c>L = 0.5 + (x / 1.2e9)^-0.076</c>.</summary>
    /// <returns>A readable formula.</returns>
    public override string ToString()
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        var law = string.Format(ci, "(x / {0:G3})^-{1:0.####}", X0, Alpha);
        return Saturating ? string.Format(ci, "L = {0:0.####} + {1}", LInfinity, law) : "L = " + law;
    }
}
