namespace STEM.Recommenders.Models;

/// <summary>
/// Upper bounds of the options that set a model's size, checked by <see cref="ModelOptions.Validate"/>
/// before anything is allocated. They are far above any model of the STEM paper (d = 16, experts of
/// [512, 512, 512], 4 experts per task) and low enough that no single value asks LibTorch for an
/// impossible tensor; whether a valid combination fits in memory is <see cref="ModelSize"/>'s check.
/// </summary>
public static class SizeLimits
{
    /// <summary>Largest embedding width.</summary>
    public const int MaxEmbeddingDim = 4096;

    /// <summary>Largest width of one hidden layer.</summary>
    public const int MaxUnits = 65536;

    /// <summary>Most layers in one list of layer widths, STEM layers or PLE levels.</summary>
    public const int MaxLayers = 64;

    /// <summary>Most experts of one kind.</summary>
    public const int MaxExperts = 1024;
}
