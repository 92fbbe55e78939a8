using System.Reflection;
using Onnx;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Onnx.Tests;

/// <summary>The package's place (above the core, which stays free of ONNX) and what its files declare.</summary>
[Collection(SampleDataGroup.Name)]
public sealed class PackageTests(SampleData sample) : IDisposable
{
    private readonly string _directory = TestPaths.TempDirectory();

    [Fact]
    public void The_core_references_neither_onnx_nor_protobuf_and_the_package_only_the_core()
    {
        var core = typeof(ModelArtifact).Assembly.GetReferencedAssemblies().Select(a => a.Name).ToArray();
        core.Should().NotContain(["STEM.Recommenders.Onnx", "Google.Protobuf", "Microsoft.ML.OnnxRuntime"]);

        var onnx = typeof(OnnxExporter).Assembly;
        onnx.GetReferencedAssemblies().Select(a => a.Name).Should().Contain(["STEM.Recommenders", "Google.Protobuf", "Microsoft.ML.OnnxRuntime"])
            .And.NotContain(["STEM.Recommenders.Cli", "STEM.Recommenders.PyTorch", "STEM.Recommenders.Parquet", "STEM.Recommenders.Scaling"]);
        onnx.GetExportedTypes().Where(t => t.Namespace == "Onnx").Should().BeEmpty("the generated onnx.proto types are internal");
    }

    [Fact]
    public void The_model_file_declares_its_opsets_metadata_and_float32_weights_by_state_dict_name()
    {
        using var artifact = TestModels.Artifact("stem-net/3-layers-batchnorm", sample.Pipeline);
        var export = OnnxExporter.Export(artifact, _directory);

        var model = ModelProto.Parser.ParseFrom(File.ReadAllBytes(export.ModelPath));

        model.IrVersion.Should().Be(OnnxExporter.IrVersion);
        model.OpsetImport.Should().Contain(o => o.Domain == "" && o.Version == OnnxExporter.Opset);
        model.OpsetImport.Should().Contain(o => o.Domain == "ai.onnx.ml" && o.Version == OnnxExporter.MlOpset);
        var metadata = model.MetadataProps.ToDictionary(p => p.Key, p => p.Value);
        metadata[OnnxNames.PipelineHashKey].Should().Be(sample.Pipeline.ContentHash);
        metadata[OnnxNames.LibraryVersionKey].Should().Be(ModelArtifact.LibraryVersion);
        metadata[OnnxNames.TasksKey].Should().Be("[\"is_click\",\"long_view\",\"is_like\"]");
        metadata[OnnxNames.InputsKey].Should().Be("raw");
        model.Graph.Output.Single().Name.Should().Be(OnnxNames.Probabilities);
        model.Graph.Input.Select(i => i.Name).Should().BeEquivalentTo(sample.Pipeline.Schema.Features.SelectMany(f => f.SourceColumns).Distinct());
        var weights = model.Graph.Initializer.Where(i => !i.Name.Contains(':', StringComparison.Ordinal)).ToDictionary(i => i.Name);

        // Every parameter and running statistic (index buffers such as pass_gradient are structure, not weights).
        var state = artifact.Model.TorchModule.named_parameters().Select(p => (p.name, p.parameter.shape))
            .Concat(artifact.Model.TorchModule.named_buffers().Where(b => b.name.Contains("running_", StringComparison.Ordinal)).Select(b => (b.name, b.buffer.shape)))
            .ToArray();
        state.Length.Should().BeGreaterThan(10);
        weights.Keys.Should().Contain(state.Select(s => s.name));
        foreach (var (name, shape) in state)
        {
            weights[name].DataType.Should().Be((int)TensorProto.Types.DataType.Float, name);
            weights[name].Dims.Should().Equal(shape, name);
        }
    }

    public void Dispose() => TestPaths.Delete(_directory);
}
