using STEM.Recommenders.EncodedData;
using System.Text.Json.Serialization;
using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Models;

/// <summary>
/// Options shared by every model, with the STEM paper's defaults: embedding dimension 16, towers
/// [128, 64], ReLU, no batch norm, no dropout, float32. Each model adds its own knobs.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "model")]
[JsonDerivedType(typeof(StemNetOptions), StemNet.Name)]
[JsonDerivedType(typeof(MmoeOptions), Mmoe.Name)]
[JsonDerivedType(typeof(OmoeOptions), Omoe.Name)]
[JsonDerivedType(typeof(PleOptions), Ple.Name)]
[JsonDerivedType(typeof(SharedBottomOptions), SharedBottom.Name)]
[JsonDerivedType(typeof(SingleTaskOptions), SingleTask.Name)]
[JsonDerivedType(typeof(MeMmoeOptions), MeMmoe.Name)]
[JsonDerivedType(typeof(MePleOptions), MePle.Name)]
[JsonDerivedType(typeof(EsmmOptions), Esmm.Name)]
[JsonDerivedType(typeof(AitmOptions), Aitm.Name)]
public abstract record ModelOptions
{
    /// <summary>Embedding width d. Default 16.</summary>
    public int EmbeddingDim { get; init; } = 16;

    /// <summary>Standard deviation of the embeddings' normal initialisation. Default 1e-4 (reference code).</summary>
    public double EmbeddingInitStd { get; init; } = 1e-4;

    /// <summary>Hidden units of each task tower (a linear layer to one logit follows). Default [128, 64].</summary>
    public IReadOnlyList<int> TowerUnits { get; init; } = [128, 64];

    /// <summary>Activation of every hidden layer. Default ReLU.</summary>
    public Activation Activation { get; init; } = Activation.Relu;

    /// <summary>Batch normalisation in every MLP. Default false.</summary>
    public bool BatchNorm { get; init; }

    /// <summary>Dropout in every MLP, in [0, 1). Default 0.</summary>
    public double Dropout { get; init; }

    /// <summary>
    /// Precision of the dense layers' matrix products. Default float32; <see cref="Precision.Auto"/>
    /// lets a calibration on the training machine choose bfloat16 where it is faster.
    /// </summary>
    public Precision Precision { get; init; } = Precision.Float32;

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public virtual void Validate()
    {
        Require(EmbeddingDim is >= 1 and <= SizeLimits.MaxEmbeddingDim, nameof(EmbeddingDim), $"must be in [1, {SizeLimits.MaxEmbeddingDim}]");
        Require(EmbeddingInitStd > 0 && double.IsFinite(EmbeddingInitStd), nameof(EmbeddingInitStd), "must be positive and finite");
        Require(Dropout is >= 0 and < 1, nameof(Dropout), "must be in [0, 1)");
        Require(Enum.IsDefined(Precision), nameof(Precision), "must be Float32, BFloat16 or Auto");
        RequireUnits(TowerUnits, nameof(TowerUnits), allowEmpty: true);
    }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the option when the condition fails.</summary>
    protected void Require(bool condition, string option, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{GetType().Name}.{option} {rule}.", option);
        }
    }

    /// <summary>Checks a list of layer widths.</summary>
    protected void RequireUnits(IReadOnlyList<int>? units, string option, bool allowEmpty = false)
    {
        Require(units is not null && (allowEmpty || units.Count > 0) && units.All(u => u >= 1), option, allowEmpty ? "must list positive layer widths" : "must list at least one positive layer width");
        Require(units!.Count <= SizeLimits.MaxLayers, option, $"must list at most {SizeLimits.MaxLayers} layers");
        Require(units.All(u => u <= SizeLimits.MaxUnits), option, $"must list layer widths of at most {SizeLimits.MaxUnits}");
    }
}
