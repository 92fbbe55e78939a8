namespace STEM.Recommenders.Evaluation;

/// <summary>Binary log loss with predictions clipped to [eps, 1 − eps] (eps = 1e-7, as the reference).</summary>
public static class LogLossMetric
{
    /// <summary>Computes the mean log loss; <see cref="double.NaN"/> for no samples.</summary>
    public static double Compute(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, double eps = 1e-7)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException("scores and labels must have the same length.");
        }

        if (scores.Length == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            var p = Math.Clamp(scores[i], eps, 1 - eps);
            sum -= labels[i] > 0.5f ? Math.Log(p) : Math.Log(1 - p);
        }

        return sum / scores.Length;
    }
}

/// <summary>Calibration: mean prediction divided by the observed positive rate (1 is perfectly calibrated on average).</summary>
public static class CalibrationMetric
{
    /// <summary>Computes the ratio; <see cref="double.NaN"/> when there is no positive.</summary>
    public static double Compute(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException("scores and labels must have the same length.");
        }

        double predicted = 0, observed = 0;
        for (var i = 0; i < scores.Length; i++)
        {
            predicted += scores[i];
            observed += labels[i];
        }

        return observed == 0 ? double.NaN : predicted / observed;
    }
}
