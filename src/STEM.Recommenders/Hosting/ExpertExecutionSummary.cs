using System.Globalization;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Hosting;

/// <summary>The one line a run report gives on how the expert pools ran (<see cref="Evaluation.Reports.ModelRunReport.ExpertExecution"/>).</summary>
internal static class ExpertExecutionSummary
{
    public static string? Of(IMultiTaskModel model, TrainingResult result)
    {
        var executions = model.TorchModule.modules().OfType<ExpertPool>().Select(p => p.Execution.ToString().ToLowerInvariant()).Distinct().ToArray();
        if (executions.Length == 0)
        {
            return null;
        }

        var calibrations = result.ExpertCalibrations.Concat(result.PerTask?.Values.SelectMany(r => r.ExpertCalibrations) ?? []).ToArray();
        var line = string.Join(" and ", executions);
        return calibrations.Length == 0
            ? line
            : line + " (calibrated per forward and backward pass: " + string.Join("; ", calibrations.Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Pool} batched {c.BatchedMs:F1} ms, separate {c.SeparateMs:F1} ms"))) + ")";
    }
}
