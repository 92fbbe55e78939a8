using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;

namespace STEM.Recommenders.Hosting;

/// <summary>Per-task evaluation as a service (AUC, gAUC, log loss, calibration).</summary>
public interface IModelEvaluator
{
    /// <summary>Evaluates a model on a dataset.</summary>
    EvaluationReport Evaluate(IMultiTaskModel model, EncodedDataset data);
}

/// <summary>The default <see cref="IModelEvaluator"/>, over <see cref="Evaluator"/>.</summary>
internal sealed class ModelEvaluator(Microsoft.Extensions.Options.IOptions<StemOptions> options) : IModelEvaluator
{
    public EvaluationReport Evaluate(IMultiTaskModel model, EncodedDataset data) =>
        Evaluator.Evaluate(model, data, options.Value.Training.EvaluationBatchSize);
}
