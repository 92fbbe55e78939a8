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

    public static ScalarType ComputeType(this Precision precision) =>
        precision == Precision.BFloat16 ? ScalarType.BFloat16 : ScalarType.Float32;
}
