using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;

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
        var pools = model.TorchModule.modules().OfType<ExpertPool>().ToArray();
        if (pools.Length == 0)
        {
            return "no expert pools";
        }

        if (setting != ExpertSetting.Calibrate)
        {
            foreach (var pool in pools)
            {
                pool.Execution = setting == ExpertSetting.Separate ? ExpertExecution.Separate : ExpertExecution.Batched;
            }

            return $"experts {setting.ToString().ToLowerInvariant()}";
        }

        var lines = pools.Select(pool =>
        {
            var (batched, separate) = pool.Calibrate(rows);
            return $"{pool.GetName()}: batched {batched:N0} ms, separate {separate:N0} ms -> {pool.Execution.ToString().ToLowerInvariant()}";
        });
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
