using System.Text.Json.Serialization;

namespace STEM.Recommenders.Training;

/// <summary>
/// How the trainer sets each <see cref="Modules.ExpertPool.Execution"/> before training
/// (<see cref="TrainerOptions.ExpertExecution"/>). The choice changes speed and the products'
/// rounding, never the model: weights trained one way load and predict either way.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<ExpertExecutionPolicy>))]
public enum ExpertExecutionPolicy
{
    /// <summary>Leave every pool as it is (as built: <see cref="Modules.ExpertExecution.Batched"/>, unless the caller set it). Default.</summary>
    AsBuilt,

    /// <summary>Every pool runs one batched product per layer.</summary>
    Batched,

    /// <summary>Every pool runs one product per expert and layer (not with batch norm in the experts).</summary>
    Separate,

    /// <summary>
    /// Each pool times both executions at the training batch size on this machine before the first
    /// step (<see cref="Modules.ExpertPool.Calibrate"/>, a few forward and backward passes) and keeps
    /// the faster; the timings are in <see cref="TrainingResult.ExpertCalibrations"/>. Which one wins
    /// differs between CPUs, so two machines may train with different executions: a resumed run
    /// calibrates again, and is bit-identical to an uninterrupted one only when both choose alike
    /// (choose <see cref="Batched"/> or <see cref="Separate"/> where that matters).
    /// </summary>
    Calibrate,
}
