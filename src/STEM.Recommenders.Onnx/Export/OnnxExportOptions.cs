namespace STEM.Recommenders.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>Raw-column or id inputs. Default <see cref="OnnxInputs.Auto"/>.</summary>
    public OnnxInputs Inputs { get; init; } = OnnxInputs.Auto;

    /// <summary>Replace an existing export in the directory. Default false.</summary>
    public bool Overwrite { get; init; }
}
