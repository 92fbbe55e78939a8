using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Onnx.Graph;

namespace STEM.Recommenders.Onnx.Pipeline;

/// <summary>Writes one kind of fitted feature as ONNX: raw string inputs → the field's ids and slot weights.</summary>
internal interface IFeatureInputWriter
{
    /// <summary>The FeatureSpec type written.</summary>
    Type SpecType { get; }

    /// <summary>Why this fitted feature cannot be expressed in ONNX, or <see langword="null"/> when it can.</summary>
    string? Unsupported(FittedFeature feature);

    /// <summary>The field's int64 [B, slots] global ids and float [B, slots] weights.</summary>
    (string Ids, string Weights) Write(OnnxGraph graph, FittedFeature feature, FieldLayout place, RawColumns columns);
}
