using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Evaluation.Reports;

namespace STEM.Recommenders.Reporting.Tests;

/// <summary>Hand-made reports with known values: two tasks, three epochs, gates, calibration.</summary>
internal static class SampleReports
{
    public static readonly string[] Tasks = ["click", "like"];

    /// <summary>Validation AUC of a task at an epoch: distinct for every model, seed, task and epoch.</summary>
    public static double ValidationAuc(double shift, int task, int epoch) => 0.60 + shift + (0.05 * task) + (0.01 * epoch);

    public static double TrainLoss(double shift, int task, int epoch) => 0.50 - shift - (0.02 * task) - (0.03 * epoch);

    public static double ValidationLogLoss(double shift, int task, int epoch) => 0.52 - shift - (0.02 * task) - (0.02 * epoch);

    public static ModelRunReport Run(string model, long seed, double shift, bool gated = true, int epochs = 3, int evaluationsPerEpoch = 1)
    {
        var history = new List<TrainingHistoryEntry>();
        for (var e = 1; e <= epochs; e++)
        {
            for (var k = 0; k < evaluationsPerEpoch; k++)
            {
                var point = (e * evaluationsPerEpoch) + k - evaluationsPerEpoch + 1;
                history.Add(new TrainingHistoryEntry(
                    e,
                    point * 10L,
                    Tasks.Select((t, i) => (t, TrainLoss(shift, i, point))).ToDictionary(x => x.t, x => x.Item2),
                    Tasks.Select((t, i) => (t, ValidationAuc(shift, i, point))).ToDictionary(x => x.t, x => x.Item2),
                    Tasks.Select((t, i) => (t, ValidationLogLoss(shift, i, point))).ToDictionary(x => x.t, x => x.Item2),
                    1e-3));
            }
        }

        return new ModelRunReport
        {
            Model = model,
            Seed = seed,
            Tasks = Tasks,
            Validation = Metrics(0.70 + shift),
            Test = Metrics(0.68 + shift),
            BestEpoch = epochs,
            Steps = epochs * 10,
            SamplesPerSecond = 1000,
            Parameters = 1234,
            Gates = gated
                ? new GateReport([new GateMass("click", 0.5 + shift, 0.2, 0.3 - shift), new GateMass("like", 0.6, 0.1 + shift, 0.3 - shift)], [0, 1, -1], [0.3, 0.3, 0.4], 0.8)
                : null,
            History = history,
            Calibration = Calibration(shift),
        };
    }

    public static EvaluationReport Metrics(double auc) =>
        new([new TaskMetrics("click", 1000, 100, auc, auc - 0.05, 0.30, 1.02), new TaskMetrics("like", 1000, 30, auc + 0.04, auc - 0.02, 0.12, 0.97)]);

    /// <summary>Calibration from 1,000 rows per task with predictions spread over [0, 0.2) and a known positive rate.</summary>
    public static IReadOnlyList<TaskCalibration> Calibration(double shift)
    {
        var accumulator = new ReliabilityAccumulator(Tasks);
        for (var r = 0; r < 1000; r++)
        {
            var p = (float)(0.2 * r / 1000);
            accumulator.Add(0, p, r % 10 == 0 ? 1 : 0);
            accumulator.Add(1, (float)(p + shift), r % 20 == 0 ? 1 : 0);
        }

        return accumulator.Compute();
    }

    public static NegativeTransferReport NegativeTransfer() => new(
        "click",
        "like",
        2,
        "single-task",
        [
            new FeedbackGroupResult(FeedbackGroup.Comparable, 500, 40, new Dictionary<string, double> { ["stem-net"] = 0.71, ["single-task"] = 0.70 }, new Dictionary<string, double> { ["stem-net"] = 0.75, ["single-task"] = 0.76 }),
            new FeedbackGroupResult(FeedbackGroup.ADominant, 300, 20, new Dictionary<string, double> { ["stem-net"] = 0.66, ["single-task"] = 0.67 }, new Dictionary<string, double> { ["stem-net"] = 0.73, ["single-task"] = 0.72 }),
        ]);

    /// <summary>stem-net (gated) and single-task (no gates), two seeds each, with a negative-transfer analysis.</summary>
    public static ComparisonReport Comparison() => new(
        [Run("stem-net", 1, 0.02), Run("stem-net", 2, 0.04), Run("single-task", 1, 0.0, gated: false), Run("single-task", 2, 0.01, gated: false)],
        [NegativeTransfer()]);
}
