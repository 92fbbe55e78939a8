namespace STEM.Recommenders.Onnx;

/// <summary>What <see cref="OnnxExporter.Export"/> wrote.</summary>
/// <param name="ModelPath">The .onnx file.</param>
/// <param name="PipelinePath">The pipeline sidecar of an id-input model, or <see langword="null"/>.</param>
/// <param name="Inputs">Raw columns or ids.</param>
/// <param name="InputNames">The graph's input names (raw columns, or ids and weights).</param>
/// <param name="NotInGraph">Why the pipeline is not in the graph (empty for a raw-input model).</param>
/// <param name="Bytes">Size of the model file.</param>
public sealed record OnnxExportResult(string ModelPath, string? PipelinePath, OnnxInputs Inputs, IReadOnlyList<string> InputNames, IReadOnlyList<string> NotInGraph, long Bytes);
