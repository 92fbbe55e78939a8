using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Benchmarks;

/// <summary>The --experts option: every expert pool batched, separate, or as a calibration on this machine chooses (the trainer's own <see cref="ExpertExecutionPolicy"/>).</summary>
internal static class ExpertSettings
{
    public static ExpertExecutionPolicy Parse(string text) => text.ToUpperInvariant() switch
    {
        "BATCHED" => ExpertExecutionPolicy.Batched,
        "SEPARATE" => ExpertExecutionPolicy.Separate,
        "CALIBRATE" => ExpertExecutionPolicy.Calibrate,
        _ => throw new ArgumentException($"--experts takes batched, separate or calibrate, not '{text}'."),
    };

    /// <summary>Applies the setting to every expert pool of the model; returns a line for the report.</summary>
    public static string Apply(IMultiTaskModel model, ExpertExecutionPolicy policy, int rows)
    {
        if (!model.TorchModule.modules().OfType<ExpertPool>().Any())
        {
            return "no expert pools";
        }

        var calibrations = ExpertPoolSetup.Apply(model, policy, rows);
        if (policy != ExpertExecutionPolicy.Calibrate)
        {
            return $"experts {policy.ToString().ToLowerInvariant()}";
        }

        var lines = calibrations.Select(c => $"{c.Pool}: batched {c.BatchedMs:N0} ms, separate {c.SeparateMs:N0} ms -> {c.Chosen.ToString().ToLowerInvariant()}");
        return "experts calibrated at " + rows + " rows (forward + backward): " + string.Join("; ", lines);
    }

    /// <summary>Sets every expert pool of the model to one execution.</summary>
    public static void Set(IMultiTaskModel model, ExpertExecution execution)
    {
        foreach (var pool in model.TorchModule.modules().OfType<ExpertPool>())
        {
            pool.Execution = execution;
        }
    }
}
