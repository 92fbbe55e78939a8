using System.Text.Json;

namespace STEM.Recommenders.Training.Weighting;

/// <summary>"fixed": <see cref="FixedWeighting"/> with the section's weights, which must match the tasks when they are known.</summary>
internal sealed class FixedWeightingFactory()
    : DelegateLossWeightingFactory("fixed", "Σ w_t L_t with fixed per-task weights (default 1 each, the reference); weights.", c => new FixedWeighting(c.Weights))
{
    public override void Validate(WeightingConfig config, IReadOnlyList<string>? taskNames)
    {
        base.Validate(config, taskNames);

        // The trainer checks the count only once the data is loaded and encoded, minutes into a
        // large run; where the task names are known up front the mistake is reported at once.
        if (taskNames is not null && config.Weights is { } weights && weights.Count != taskNames.Count)
        {
            throw new ArgumentException($"{weights.Count} weights were given for {taskNames.Count} tasks ({string.Join(", ", taskNames)})", JsonNamingPolicy.CamelCase.ConvertName(nameof(WeightingConfig.Weights)));
        }
    }
}
