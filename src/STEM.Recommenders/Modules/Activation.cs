using System.Text.Json.Serialization;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>Activation functions for MLP layers.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Activation>))]
public enum Activation
{
    /// <summary>max(0, x), the papers' default.</summary>
    Relu,

    /// <summary>Gaussian error linear unit.</summary>
    Gelu,

    /// <summary>Hyperbolic tangent.</summary>
    Tanh,

    /// <summary>Logistic sigmoid.</summary>
    Sigmoid,

    /// <summary>No activation.</summary>
    Identity,
}

/// <summary>Numeric precision of the dense layers' matrix products.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Precision>))]
public enum Precision
{
    /// <summary>Everything in float32.</summary>
    Float32,

    /// <summary>
    /// Mixed precision: matrix products of experts, gates and towers in bfloat16 (fast on CPUs with
    /// AVX512-BF16/AMX and on GPUs), weights, gradients and optimizer state kept in float32.
    /// </summary>
    BFloat16,

    /// <summary>
    /// The faster of the two on this machine: before the first step the trainer times the model's
    /// largest MLP stack forward and backward in both (<see cref="StackedMlp.CalibratePrecision"/>)
    /// and trains in bfloat16 only where it is clearly faster (by more than
    /// <see cref="StackedMlp.BFloat16Margin"/>), else in float32; the timings are in the training
    /// result. Until a calibration runs — a model built or loaded for scoring — the products run in
    /// float32. bfloat16 is 1.6–2.3× float32 on CPUs with native <c>avx512_bf16</c> (AMD Zen 4) and
    /// slower on some without AMX (an Intel Xeon measured 0.76×): docs/performance.md.
    /// </summary>
    Auto,
}

internal static class ActivationExtensions
{
    public static Tensor Apply(this Activation activation, Tensor x) => activation switch
    {
        Activation.Relu => nn.functional.relu(x),
        Activation.Gelu => nn.functional.gelu(x),
        Activation.Tanh => x.tanh(),
        Activation.Sigmoid => x.sigmoid(),
        Activation.Identity => x,
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    /// <summary>The products' dtype; <see cref="Precision.Auto"/> is float32 until a calibration resolves it.</summary>
    public static ScalarType ComputeType(this Precision precision) =>
        precision == Precision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
}
