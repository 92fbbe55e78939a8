namespace STEM.Recommenders.Scaling;

/// <summary>A bootstrap percentile interval for a fitted exponent α.</summary>
/// <param name="Estimate">α fitted on all points.</param>
/// <param name="Low">The lower percentile bound.</param>
/// <param name="High">The upper percentile bound.</param>
/// <param name="Level">The coverage of the interval, e.g. 0.95.</param>
/// <param name="Resamples">Resamples whose refit succeeded and entered the interval.</param>
/// <param name="ByGroup">Whether whole seed groups were resampled (several seeds) rather than single points.</param>
public sealed record AlphaInterval(double Estimate, double Low, double High, double Level, int Resamples, bool ByGroup)
{
    /// <summary>Whether <paramref name="alpha"/> lies within [<see cref="Low"/>, <see cref="High"/>].</summary>
    /// <param name="alpha">An exponent.</param>
    /// <returns>True when inside the interval.</returns>
    public bool Contains(double alpha) => alpha >= Low && alpha <= High;

    /// <summary>The width of the interval.</summary>
    public double Width => High - Low;
}
