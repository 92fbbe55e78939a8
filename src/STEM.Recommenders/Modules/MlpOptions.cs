using STEM.Recommenders.EncodedData;

namespace STEM.Recommenders.Modules;

/// <summary>Shape and regularisation of an MLP: hidden layers, activation, batch norm and dropout.</summary>
public sealed record MlpOptions
{
    /// <summary>Units of each hidden layer, e.g. [128, 64].</summary>
    public IReadOnlyList<int> HiddenUnits { get; init; } = [128, 64];

    /// <summary>Activation after each hidden layer. Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Batch normalisation after each hidden linear layer. Default false (as the reference configs).</summary>
    public bool BatchNorm { get; init; }

    /// <summary>Dropout rate after each hidden layer, in [0, 1). Default 0.</summary>
    public double Dropout { get; init; }

    /// <summary>Precision of the matrix products. Default float32.</summary>
    public Precision Precision { get; init; } = Precision.Float32;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public void Validate(string owner)
    {
        if (HiddenUnits is null || HiddenUnits.Any(u => u < 1))
        {
            throw new ArgumentException($"{owner}: every hidden layer needs at least one unit.");
        }

        if (Dropout is < 0 or >= 1)
        {
            throw new ArgumentException($"{owner}: dropout must be in [0, 1).");
        }

        if (!Enum.IsDefined(Precision))
        {
            throw new ArgumentException($"{owner}: precision must be Float32, BFloat16 or Auto, not {(int)Precision}.");
        }
    }
}
