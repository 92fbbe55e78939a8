using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Hosting;

/// <summary>The report's view of a trainer's history (the Evaluation layer cannot see the Training types).</summary>
internal static class TrainingHistory
{
    public static IReadOnlyList<TrainingHistoryEntry> Of(TrainingResult result) =>
        result.History.Select(r => new TrainingHistoryEntry(
            r.Epoch,
            r.GlobalStep,
            r.TrainLosses,
            r.Validation.Tasks.ToDictionary(t => t.Task, t => t.Auc),
            r.Validation.Tasks.ToDictionary(t => t.Task, t => t.LogLoss),
            r.LearningRate)).ToArray();
}
