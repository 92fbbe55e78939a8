namespace STEM.Recommenders.Onnx;

/// <summary>What an exported graph takes as inputs.</summary>
public enum OnnxInputs
{
    /// <summary>Raw columns when the whole pipeline can be expressed in ONNX, else ids (with the pipeline as a sidecar file).</summary>
    Auto,

    /// <summary>Raw string columns, the feature pipeline inside the graph; an error when a field cannot be expressed.</summary>
    Raw,

    /// <summary>Encoded ids and slot weights (the caller runs the pipeline; pipeline.json is written beside the model).</summary>
    Ids,
}
