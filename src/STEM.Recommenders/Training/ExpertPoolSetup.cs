using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Training;

/// <summary>Applies an <see cref="ExpertExecutionPolicy"/> to every <see cref="ExpertPool"/> of a model.</summary>
public static class ExpertPoolSetup
{
    /// <summary>
    /// Sets each pool's <see cref="ExpertPool.Execution"/> by the policy; with
    /// <see cref="ExpertExecutionPolicy.Calibrate"/> each pool times both executions at
    /// <paramref name="rows"/> rows (drawing its random inputs from the global generator) and keeps
    /// the faster. Call it before training or between steps.
    /// </summary>
    /// <param name="model">The model whose pools to set.</param>
    /// <param name="policy">The policy.</param>
    /// <param name="rows">Rows per calibration pass, e.g. the training batch size.</param>
    /// <returns>The calibrations (empty unless the policy is Calibrate, or the model has no pools).</returns>
    /// <exception cref="ArgumentException">Separate with batch norm in a pool's experts; the message names the option.</exception>
    public static IReadOnlyList<ExpertCalibration> Apply(IMultiTaskModel model, ExpertExecutionPolicy policy, int rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        var pools = model.TorchModule.modules().OfType<ExpertPool>().ToArray();
        switch (policy)
        {
            case ExpertExecutionPolicy.AsBuilt:
                return [];
            case ExpertExecutionPolicy.Batched:
            case ExpertExecutionPolicy.Separate:
                var execution = policy == ExpertExecutionPolicy.Separate ? ExpertExecution.Separate : ExpertExecution.Batched;
                if (execution == ExpertExecution.Separate && pools.FirstOrDefault(p => p.Experts.Options.BatchNorm) is { } normed)
                {
                    throw new ArgumentException(
                        $"TrainerOptions.ExpertExecution Separate cannot run {model.ModelName}'s expert pool '{normed.GetName()}': its experts use batch norm. Use Batched or Calibrate.",
                        nameof(policy));
                }

                foreach (var pool in pools)
                {
                    pool.Execution = execution;
                }

                return [];
            case ExpertExecutionPolicy.Calibrate:
                return pools.Select(pool =>
                {
                    var (batched, separate) = pool.Calibrate(rows);
                    return new ExpertCalibration(pool.GetName(), batched, separate, pool.Execution);
                }).ToArray();
            default:
                throw new ArgumentOutOfRangeException(nameof(policy), policy, "Not an ExpertExecutionPolicy.");
        }
    }
}
