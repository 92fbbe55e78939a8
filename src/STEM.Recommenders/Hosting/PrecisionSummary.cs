using System.Globalization;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Hosting;

/// <summary>The one line a run report gives on the precision the dense layers trained in (<see cref="Evaluation.Reports.ModelRunReport.Precision"/>).</summary>
internal static class PrecisionSummary
{
    public static string? Of(IMultiTaskModel model, TrainingResult result)
    {
        var precisions = model.TorchModule.modules().OfType<StackedMlp>().Select(m => m.ComputePrecision.ToString().ToLowerInvariant()).Distinct().ToArray();
        if (precisions.Length == 0)
        {
            return null;
        }

        var calibrations = new[] { result.PrecisionCalibration }.Concat(result.PerTask?.Values.Select(r => r.PrecisionCalibration) ?? []).OfType<PrecisionCalibration>().ToArray();
        var line = string.Join(" and ", precisions);
        return calibrations.Length == 0
            ? line
            : line + " (Auto, calibrated per forward and backward pass: " + string.Join("; ", calibrations.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Module} float32 {c.Float32Ms:F1} ms, bfloat16 {c.BFloat16Ms:F1} ms"))) + ")";
    }
}
