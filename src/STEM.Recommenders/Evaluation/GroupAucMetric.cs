namespace STEM.Recommenders.Evaluation;

/// <summary>
/// gAUC: the AUC of each group (user) weighted by the group's number of samples, skipping groups
/// whose labels are all 0 or all 1 — the STEM reference's definition, but grouped by the raw key
/// rather than the encoded id (so rare users do not collapse into one OOV group).
/// </summary>
public static class GroupAucMetric
{
    /// <summary>Computes gAUC; <see cref="double.NaN"/> when no group has both classes.</summary>
    /// <param name="scores">Predictions.</param>
    /// <param name="labels">0/1 labels.</param>
    /// <param name="groups">Group index per sample; negative values are skipped.</param>
    public static double Compute(ReadOnlySpan<float> scores, ReadOnlySpan<float> labels, ReadOnlySpan<long> groups)
    {
        if (scores.Length != labels.Length || scores.Length != groups.Length)
        {
            throw new ArgumentException("scores, labels and groups must have the same length.");
        }

        var members = new Dictionary<long, List<int>>();
        for (var i = 0; i < groups.Length; i++)
        {
            if (groups[i] < 0)
            {
                continue;
            }

            if (!members.TryGetValue(groups[i], out var list))
            {
                members[groups[i]] = list = new List<int>();
            }

            list.Add(i);
        }

        double weighted = 0;
        long weight = 0;
        foreach (var list in members.Values)
        {
            var s = new float[list.Count];
            var l = new float[list.Count];
            for (var k = 0; k < list.Count; k++)
            {
                s[k] = scores[list[k]];
                l[k] = labels[list[k]];
            }

            var auc = AucMetric.Compute(s, l);
            if (double.IsNaN(auc))
            {
                continue;
            }

            weighted += auc * list.Count;
            weight += list.Count;
        }

        return weight == 0 ? double.NaN : weighted / weight;
    }
}
