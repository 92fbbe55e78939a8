namespace STEM.Recommenders.Evaluation.Reports;

/// <summary>One evaluation during training, as the report keeps it (the curves of loss and validation AUC are drawn from these).</summary>
/// <param name="Epoch">1-based epoch the evaluation ended or fell in.</param>
/// <param name="Step">Training steps done at the evaluation.</param>
/// <param name="TrainLoss">Task → mean training loss since the previous evaluation.</param>
/// <param name="ValidationAuc">Task → validation AUC.</param>
/// <param name="ValidationLogLoss">Task → validation log loss.</param>
/// <param name="LearningRate">The learning rate at the evaluation.</param>
public sealed record TrainingHistoryEntry(
    int Epoch,
    long Step,
    IReadOnlyDictionary<string, double> TrainLoss,
    IReadOnlyDictionary<string, double> ValidationAuc,
    IReadOnlyDictionary<string, double> ValidationLogLoss,
    double LearningRate);
