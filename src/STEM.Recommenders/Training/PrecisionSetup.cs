using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Training;

/// <summary>Resolves <see cref="Precision.Auto"/> for a model by a calibration on this machine.</summary>
public static class PrecisionSetup
{
    /// <summary>
    /// When the model has MLP stacks built with <see cref="Precision.Auto"/>: times the largest of
    /// them (by FLOP per row: its expert pool, in the multi-task models) forward and backward at
    /// <paramref name="rows"/> rows in float32 and in bfloat16 (<see cref="StackedMlp.CalibratePrecision"/>)
    /// and sets every Auto stack of the model to the choice, so experts, gates and towers run in one
    /// precision. Gradients and batch-norm statistics are left as they were.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="rows">Rows per calibration pass, e.g. the training batch size.</param>
    /// <returns>The calibration, or <see langword="null"/> when no stack is Auto.</returns>
    public static PrecisionCalibration? Apply(IMultiTaskModel model, int rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var auto = model.TorchModule.modules().OfType<StackedMlp>().Where(m => m.Options.Precision == Precision.Auto).ToArray();
        if (auto.Length == 0)
        {
            return null;
        }

        var largest = auto.MaxBy(m => m.MultiplyAddsPerRow)!;
        var (float32, bfloat16) = largest.CalibratePrecision(rows);
        foreach (var mlp in auto)
        {
            mlp.ComputePrecision = largest.ComputePrecision;
        }

        return new PrecisionCalibration(largest.GetName(), float32, bfloat16, largest.ComputePrecision);
    }
}
