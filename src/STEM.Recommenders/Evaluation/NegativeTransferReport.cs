using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using static TorchSharp.torch;

namespace STEM.Recommenders.Evaluation;

/// <summary>
/// Which group a test sample falls in for a pair of tasks (a, b), by its user's relative positive
/// feedback on the training split.
/// </summary>
public enum FeedbackGroup
{
    /// <summary>The user's normalised positive rates on a and b are within a factor τ of each other.</summary>
    Comparable,

    /// <summary>Task a's normalised rate exceeds task b's by more than τ.</summary>
    ADominant,

    /// <summary>Task b's normalised rate exceeds task a's by more than τ.</summary>
    BDominant,

    /// <summary>The user has no training samples.</summary>
    Cold,
}

/// <summary>AUC of every model on both tasks, for one group of test samples.</summary>
/// <param name="Group">The group.</param>
/// <param name="Samples">Test samples in the group.</param>
/// <param name="Users">Distinct users in the group.</param>
/// <param name="AucA">Model → AUC on task a.</param>
/// <param name="AucB">Model → AUC on task b.</param>
public sealed record FeedbackGroupResult(FeedbackGroup Group, int Samples, int Users, IReadOnlyDictionary<string, double> AucA, IReadOnlyDictionary<string, double> AucB);

/// <summary>The negative-transfer analysis of one task pair.</summary>
/// <param name="TaskA">First task.</param>
/// <param name="TaskB">Second task.</param>
/// <param name="Ratio">The threshold τ.</param>
/// <param name="Baseline">The model others are compared with (usually "single-task").</param>
/// <param name="Groups">One entry per non-empty group.</param>
public sealed record NegativeTransferReport(string TaskA, string TaskB, double Ratio, string? Baseline, IReadOnlyList<FeedbackGroupResult> Groups)
{
    /// <summary>
    /// Builds the report. For each user u with n_u training samples, the smoothed positive rate of
    /// task k is r_k(u) = (pos_k(u) + ρ_k) / (n_u + 1), with ρ_k the global training rate; the relative
    /// feedback is q(u) = (r_a(u)/ρ_a) / (r_b(u)/ρ_b). A test sample of user u is Comparable when
    /// 1/τ ≤ q(u) ≤ τ, ADominant when q(u) &gt; τ, BDominant when q(u) &lt; 1/τ, and Cold when u has no
    /// training sample. Every model's AUC on a and b is then reported per group, next to the baseline.
    /// </summary>
    /// <param name="train">The training split (users' feedback is measured here, never on test).</param>
    /// <param name="test">The test split the predictions belong to.</param>
    /// <param name="taskA">Task a.</param>
    /// <param name="taskB">Task b.</param>
    /// <param name="predictions">Model name → predictions on <paramref name="test"/>, row-major [N, T] as from <see cref="Evaluator.Predict"/>.</param>
    /// <param name="baseline">The model the others are compared with, or <see langword="null"/>.</param>
    /// <param name="ratio">τ (default 2).</param>
    public static NegativeTransferReport Analyze(EncodedDataset train, EncodedDataset test, string taskA, string taskB, IReadOnlyDictionary<string, float[]> predictions, string? baseline = "single-task", double ratio = 2)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentNullException.ThrowIfNull(predictions);
        if (!(ratio >= 1))
        {
            throw new ArgumentException("The ratio τ must be at least 1.", nameof(ratio));
        }

        if (train.GroupIds is null || test.GroupIds is null || train.GroupKeys is null || test.GroupKeys is null)
        {
            throw new ArgumentException("Negative-transfer analysis needs a group column (the user id) in the schema.", nameof(train));
        }

        using var scope = NewDisposeScope();
        var a = IndexOf(test, taskA);
        var b = IndexOf(test, taskB);
        var t = test.TaskNames.Count;

        // Per-user training positives (by raw key, since each split numbers its groups itself).
        var trainGroups = train.GroupIds.cpu().data<long>().ToArray();
        var trainLabels = train.Labels.cpu().data<float>().ToArray();
        var trainMask = train.LabelMask?.cpu().data<float>().ToArray();
        var stats = new Dictionary<string, (double N, double A, double B)>(StringComparer.Ordinal);
        double totalA = 0, totalB = 0, observedA = 0, observedB = 0;
        for (var r = 0; r < trainGroups.Length; r++)
        {
            var ya = trainLabels[(r * t) + a];
            var yb = trainLabels[(r * t) + b];
            var ma = trainMask?[(r * t) + a] ?? 1;
            var mb = trainMask?[(r * t) + b] ?? 1;
            totalA += ya * ma;
            totalB += yb * mb;
            observedA += ma;
            observedB += mb;
            if (trainGroups[r] < 0)
            {
                continue;
            }

            var key = train.GroupKeys[(int)trainGroups[r]];
            var s = stats.GetValueOrDefault(key);
            stats[key] = (s.N + 1, s.A + (ya * ma), s.B + (yb * mb));
        }

        var rateA = totalA / Math.Max(1, observedA);
        var rateB = totalB / Math.Max(1, observedB);
        if (rateA <= 0 || rateB <= 0)
        {
            throw new ArgumentException($"Task '{(rateA <= 0 ? taskA : taskB)}' has no positive training sample.");
        }

        var testGroups = test.GroupIds.cpu().data<long>().ToArray();
        var testLabels = test.Labels.cpu().data<float>().ToArray();
        var testMask = test.LabelMask?.cpu().data<float>().ToArray();
        var groupOf = new FeedbackGroup[test.Count];
        var userOf = new string?[test.Count];
        for (var r = 0; r < test.Count; r++)
        {
            var key = testGroups[r] < 0 ? null : test.GroupKeys[(int)testGroups[r]];
            userOf[r] = key;
            if (key is null || !stats.TryGetValue(key, out var s))
            {
                groupOf[r] = FeedbackGroup.Cold;
                continue;
            }

            var qa = ((s.A + rateA) / (s.N + 1)) / rateA;
            var qb = ((s.B + rateB) / (s.N + 1)) / rateB;
            var q = qa / qb;
            groupOf[r] = q > ratio ? FeedbackGroup.ADominant : q < 1 / ratio ? FeedbackGroup.BDominant : FeedbackGroup.Comparable;
        }

        var results = new List<FeedbackGroupResult>();
        foreach (var group in Enum.GetValues<FeedbackGroup>())
        {
            var rows = Enumerable.Range(0, test.Count).Where(r => groupOf[r] == group).ToArray();
            if (rows.Length == 0)
            {
                continue;
            }

            var aucA = new Dictionary<string, double>();
            var aucB = new Dictionary<string, double>();
            foreach (var (model, p) in predictions)
            {
                if (p.Length != (long)test.Count * t)
                {
                    throw new ArgumentException($"Predictions of '{model}' have {p.Length} values; the test split needs {test.Count} × {t}.", nameof(predictions));
                }

                aucA[model] = Auc(rows, p, testLabels, testMask, t, a);
                aucB[model] = Auc(rows, p, testLabels, testMask, t, b);
            }

            results.Add(new FeedbackGroupResult(group, rows.Length, rows.Select(r => userOf[r]).Distinct().Count(), aucA, aucB));
        }

        return new NegativeTransferReport(taskA, taskB, ratio, baseline is not null && predictions.ContainsKey(baseline) ? baseline : null, results);
    }

    private static int IndexOf(EncodedDataset data, string task)
    {
        for (var i = 0; i < data.TaskNames.Count; i++)
        {
            if (data.TaskNames[i] == task)
            {
                return i;
            }
        }

        throw new ArgumentException($"No task named '{task}'; tasks: {string.Join(", ", data.TaskNames)}.", nameof(task));
    }

    private static double Auc(int[] rows, float[] predictions, float[] labels, float[]? mask, int t, int task)
    {
        var kept = rows.Where(r => mask is null || mask[(r * t) + task] > 0.5f).ToArray();
        return AucMetric.Compute(kept.Select(r => predictions[(r * t) + task]).ToArray(), kept.Select(r => labels[(r * t) + task]).ToArray());
    }
}
