using System.Text.Json;

namespace STEM.Recommenders.Datasets;

/// <summary>Checks that several presets share, with the messages the command line and experiment files have always shown.</summary>
internal static class PresetChecks
{
    /// <summary>The preset reads its data from the train file, so it must be given.</summary>
    public static void RequireTrain(string preset, DataConfig data)
    {
        if (string.IsNullOrWhiteSpace(data.Train))
        {
            // Named as in the data section ("train"), for $.data.train and --train.
            throw new ArgumentException($"the {preset} preset needs a training file", JsonNamingPolicy.CamelCase.ConvertName(nameof(DataConfig.Train)));
        }
    }
}
