using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Training;

/// <summary>The precision calibration of a model built with <see cref="Precision.Auto"/> (<see cref="PrecisionSetup"/>).</summary>
/// <param name="Module">The MLP stack that was timed (the model's largest by FLOP per row).</param>
/// <param name="Float32Ms">Milliseconds of one forward and backward pass in float32.</param>
/// <param name="BFloat16Ms">The same in bfloat16.</param>
/// <param name="Chosen">What every Auto stack of the model then runs in.</param>
public sealed record PrecisionCalibration(string Module, double Float32Ms, double BFloat16Ms, Precision Chosen);
