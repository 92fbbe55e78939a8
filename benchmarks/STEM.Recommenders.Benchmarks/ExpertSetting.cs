using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;

namespace STEM.Recommenders.Benchmarks;

/// <summary>The --experts option: run every expert pool batched, separately, or as a calibration on this machine chooses.</summary>
internal enum ExpertSetting
{
    Batched,
    Separate,
    Calibrate,
}

internal static class ExpertSettings
{
    public static ExpertSetting Parse(string text) => text.ToUpperInvariant() switch
    {
        "BATCHED" => ExpertSetting.Batched,
        "SEPARATE" => ExpertSetting.Separate,
        "CALIBRATE" => ExpertSetting.Calibrate,
        _ => throw new ArgumentException($"--experts takes batched, separate or calibrate, not '{text}'."),
    };

    /// <summary>Applies the setting to every expert pool of the model; returns a line for the report.</summary>
    public static string Apply(IMultiTaskModel model, ExpertSetting setting, int rows)
    {
        if (!model.TorchModule.modules().OfType<ExpertPool>().Any())
        {
            return "no expert pools";
        }

        var policy = setting switch
        {
            ExpertSetting.Separate => ExpertExecutionPolicy.Separate,
            ExpertSetting.Calibrate => ExpertExecutionPolicy.Calibrate,
            _ => ExpertExecutionPolicy.Batched,
        };
        var calibrations = ExpertPoolSetup.Apply(model, policy, rows);
        if (setting != ExpertSetting.Calibrate)
        {
            return $"experts {setting.ToString().ToLowerInvariant()}";
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
