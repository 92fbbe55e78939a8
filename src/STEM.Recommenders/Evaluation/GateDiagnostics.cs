using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Evaluation;

/// <summary>One task gate's average mass on each kind of expert.</summary>
/// <param name="Task">Task name.</param>
/// <param name="OwnExperts">Mean total weight on the task's own experts.</param>
/// <param name="OtherTasksExperts">Mean total weight on other tasks' experts.</param>
/// <param name="SharedExperts">Mean total weight on shared experts.</param>
public sealed record GateMass(string Task, double OwnExperts, double OtherTasksExperts, double SharedExperts);

/// <summary>How the gates of a model use its experts on a dataset.</summary>
/// <param name="Tasks">Per-task gate mass.</param>
/// <param name="ExpertOwners">Owner of each expert (task index, or -1 for shared).</param>
/// <param name="ExpertUtilisation">Mean weight each expert receives from the task gates over all rows (the values sum to 1).</param>
/// <param name="NormalisedEntropy">Mean entropy of a gate's weights divided by log(E): 0 = one expert only, 1 = uniform.</param>
public sealed record GateReport(IReadOnlyList<GateMass> Tasks, IReadOnlyList<int> ExpertOwners, IReadOnlyList<double> ExpertUtilisation, double NormalisedEntropy);

/// <summary>
/// Gate diagnostics that no peer library ships: per task, how much of its gate's weight goes to its
/// own experts, to other tasks' experts and to shared experts; and how evenly experts are used.
/// For STEM-Net this shows how much AFTB's "all forward" path is actually used.
/// </summary>
public static class GateDiagnostics
{
    /// <summary>Averages the last gated layer's weights over a dataset.</summary>
    /// <exception cref="ArgumentException">The model has no gates.</exception>
    public static GateReport Compute(IMultiTaskModel model, IBatchSource data, int batchSize = Evaluator.DefaultBatchSize)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        var owners = model.ExpertOwners ?? throw new ArgumentException($"The model '{model.ModelName}' has no gates to diagnose.", nameof(model));
        var t = model.TaskNames.Count;
        var e = owners.Count;
        var sum = new double[t, e];
        double entropy = 0;
        long rows = 0;
        Evaluator.ForEachBatch(model, data, batchSize, (_, output) =>
        {
            var weights = output.GateWeights ?? throw new InvalidOperationException("The model returned no gate weights.");
            var taskGates = weights.narrow(0, 0, t).to(ScalarType.Float64);
            var total = taskGates.sum([1]).cpu().data<double>().ToArray();
            for (var g = 0; g < t; g++)
            {
                for (var k = 0; k < e; k++)
                {
                    sum[g, k] += total[(g * e) + k];
                }
            }

            entropy += (-(taskGates * taskGates.clamp_min(Scalars.Tiny).log()).sum()).item<double>();
            rows += weights.shape[1];
        });

        var tasks = new GateMass[t];
        var utilisation = new double[e];
        for (var g = 0; g < t; g++)
        {
            double own = 0, other = 0, shared = 0;
            for (var k = 0; k < e; k++)
            {
                var mass = sum[g, k] / rows;
                utilisation[k] += mass / t;
                if (owners[k] == -1)
                {
                    shared += mass;
                }
                else if (owners[k] == g)
                {
                    own += mass;
                }
                else
                {
                    other += mass;
                }
            }

            tasks[g] = new GateMass(model.TaskNames[g], own, other, shared);
        }

        var normalised = e > 1 ? entropy / (rows * t * Math.Log(e)) : 0;
        return new GateReport(tasks, owners, utilisation, normalised);
    }
}
