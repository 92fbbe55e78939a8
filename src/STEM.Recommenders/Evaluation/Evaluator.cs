using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Evaluation;

/// <summary>Scores a dataset with a model in inference mode and computes per-task metrics.</summary>
public static class Evaluator
{
    /// <summary>Default rows per inference batch.</summary>
    public const int DefaultBatchSize = 16384;

    /// <summary>Computes AUC, gAUC, log loss and calibration per task.</summary>
    public static EvaluationReport Evaluate(IMultiTaskModel model, IBatchSource data, int batchSize = DefaultBatchSize) =>
        EvaluateCore(model, data, batchSize, null);

    /// <summary>
    /// Computes AUC, gAUC, log loss and calibration per task, and in the same pass over the data
    /// adds every prediction to <paramref name="reliability"/> (for reliability diagrams).
    /// </summary>
    public static EvaluationReport Evaluate(IMultiTaskModel model, IBatchSource data, int batchSize, ReliabilityAccumulator reliability)
    {
        ArgumentNullException.ThrowIfNull(reliability);
        return EvaluateCore(model, data, batchSize, reliability);
    }

    private static EvaluationReport EvaluateCore(IMultiTaskModel model, IBatchSource data, int batchSize, ReliabilityAccumulator? reliability)
    {
        ArgumentNullException.ThrowIfNull(data);
        var accumulator = new MetricAccumulator(data.TaskNames);
        ForEachBatch(model, data, batchSize, (batch, output) =>
        {
            var probabilities = output.Probabilities();
            accumulator.Update(probabilities, batch.Labels, batch.LabelMask, batch.GroupIds);
            reliability?.Update(probabilities, batch.Labels, batch.LabelMask);
        });
        return accumulator.Compute();
    }

    /// <summary>Predicted probabilities, row-major [N, T].</summary>
    public static float[] Predict(IMultiTaskModel model, IBatchSource data, int batchSize = DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(data);
        var result = new float[checked(data.RowCount * data.TaskNames.Count)];
        var offset = 0L;
        ForEachBatch(model, data, batchSize, (_, output) =>
        {
            var values = output.Probabilities().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
            values.CopyTo(result, offset);
            offset += values.Length;
        });
        return result;
    }

    /// <summary>
    /// Runs the model over the dataset in order, in eval and inference mode, one dispose scope per
    /// batch, and restores the model's training flag afterwards.
    /// </summary>
    public static void ForEachBatch(IMultiTaskModel model, IBatchSource data, int batchSize, Action<Batch, Models.MultiTaskOutput> visit)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(visit);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        var wasTraining = model.TorchModule.training;
        model.TorchModule.eval();
        try
        {
            using var inference = inference_mode();
            using var epoch = data.StartEpoch(batchSize, shuffle: false);
            for (var step = 0; step < epoch.StepCount; step++)
            {
                using var scope = NewDisposeScope();
                var batch = epoch.GetBatch(step);
                visit(batch, model.Forward(batch.Features));
            }
        }
        finally
        {
            model.TorchModule.train(wasTraining);
        }
    }
}
