using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Training;

/// <summary>One expert pool's calibration (<see cref="ExpertExecutionPolicy.Calibrate"/>).</summary>
/// <param name="Pool">The pool's module name.</param>
/// <param name="BatchedMs">Milliseconds of one forward and backward pass, batched.</param>
/// <param name="SeparateMs">The same, one product per expert (infinite where not supported).</param>
/// <param name="Chosen">The faster, which the pool then trains with.</param>
public sealed record ExpertCalibration(string Pool, double BatchedMs, double SeparateMs, ExpertExecution Chosen);
