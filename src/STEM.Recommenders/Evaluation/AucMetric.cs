namespace STEM.Recommenders.Evaluation;

/// <summary>
/// Exact ROC AUC: the probability that a random positive scores above a random negative, ties
/// counted as one half (the Mann-Whitney statistic with average ranks, as scikit-learn computes it).
/// </summary>
public static class AucMetric
{
    /// <summary>Computes AUC; <see cref="double.NaN"/> when only one class is present.</summary>
    public static double Compute(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels)
    {
        if (scores.Length != labels.Length)
        {
            throw new ArgumentException("scores and labels must have the same length.");
        }

        var n = scores.Length;
        var order = new int[n];
        var keys = scores.ToArray();
        for (var i = 0; i < n; i++)
        {
            order[i] = i;
        }

        Array.Sort(keys, order);
        double positiveRankSum = 0;
        long positives = 0;
        var start = 0;
        while (start < n)
        {
            // A run of equal scores shares the average of its ranks (1-based).
            var end = start + 1;
            while (end < n && keys[end] == keys[start])
            {
                end++;
            }

            var averageRank = (start + 1 + end) / 2.0;
            for (var k = start; k < end; k++)
            {
                if (labels[order[k]] > 0.5f)
                {
                    positiveRankSum += averageRank;
                    positives++;
                }
            }

            start = end;
        }

        long negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return double.NaN;
        }

        return (positiveRankSum - (positives * (positives + 1) / 2.0)) / ((double)positives * negatives);
    }
}
