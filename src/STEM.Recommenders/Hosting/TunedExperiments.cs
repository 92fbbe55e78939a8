using System.Text.Json.Nodes;

namespace STEM.Recommenders.Hosting;

/// <summary>Reads the winners of <c>stem tune</c> directories for a comparison.</summary>
public static class TunedExperiments
{
    /// <summary>
    /// The winner of a tuning directory (its best.experiment.json), named "MODEL-tuned", with the
    /// runtime of <paramref name="current"/>.
    /// </summary>
    /// <param name="directory">A directory that <see cref="ExperimentTuner"/> wrote.</param>
    /// <param name="current">The experiment of the comparison: the winner must have been tuned on its data.</param>
    /// <param name="cancellationToken">Cancels reading.</param>
    /// <exception cref="ExperimentConfigException">A file is missing or invalid, or the directory was tuned on another dataset; the message names the file.</exception>
    public static async Task<NamedExperiment> LoadAsync(string directory, ExperimentConfig current, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(current);
        var statePath = Path.Combine(directory, ExperimentTuner.StateFile);
        var bestPath = Path.Combine(directory, ExperimentTuner.BestFile);
        if (!File.Exists(statePath))
        {
            throw new ExperimentConfigException(statePath, "$", "file not found: the directory is not one that stem tune wrote (or its first trial has not finished)");
        }

        var state = TuningReport.Read(statePath);
        if (!File.Exists(bestPath))
        {
            throw new ExperimentConfigException(bestPath, "$", "file not found: the tuning in this directory has not finished; rerun stem tune with it to resume");
        }

        var winner = await ExperimentConfigLoader.LoadAsync(bestPath, cancellationToken).ConfigureAwait(false);
        var data = ExperimentOverrides.ToJson(current)["data"];
        // The base experiment's data: a winner that tuned data.* options differs from it on purpose.
        var tuned = state.Experiment["data"];
        if (!JsonNode.DeepEquals(tuned, data))
        {
            throw new ExperimentConfigException(statePath, "$.experiment.data", $"was tuned on another dataset ({ExperimentTuner.Difference(tuned, data)}); compare it with its own experiment file, or tune on this data");
        }

        return new NamedExperiment($"{Models.ModelCatalog.NameOf(winner.Model)}-tuned", winner with { Runtime = current.Runtime });
    }
}
