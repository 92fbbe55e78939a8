using System.Text.Json;
using Google.Protobuf;
using Onnx;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Graph;
using STEM.Recommenders.Onnx.Pipeline;
using STEM.Recommenders.Serving;
using TorchSharp;

namespace STEM.Recommenders.Onnx;

/// <summary>
/// Writes a trained model as one ONNX file: the model's inference graph built from its modules
/// (weights as float32 initializers) and, where ONNX can express it, the fitted feature pipeline in
/// front of it, so that a caller in any language sends raw column values and gets one probability per
/// task. Where a field cannot be expressed the graph takes encoded ids and the pipeline is written
/// beside it (<see cref="OnnxNames.PipelineFile"/>). Models and modules of other types join with
/// <see cref="Register(IOnnxModelWriter)"/> and <see cref="Register(IOnnxModuleWriter)"/>.
/// </summary>
public static class OnnxExporter
{
    /// <summary>The ai.onnx operator set the graphs use.</summary>
    public const int Opset = 21;

    /// <summary>The ai.onnx.ml operator set (CategoryMapper, LabelEncoder).</summary>
    public const int MlOpset = 3;

    /// <summary>The ONNX IR version written (10: ONNX 1.16, the IR of opset 21).</summary>
    public const int IrVersion = 10;

    /// <summary>The export format version (<see cref="OnnxNames.FormatVersionKey"/>).</summary>
    public const int FormatVersion = 1;

    // Protocol buffers cannot hold a message over 2 GB; larger models need ONNX external data.
    private const long MaxModelBytes = int.MaxValue - (64L << 20);

    /// <summary>Adds (or replaces) the writer of a module type.</summary>
    public static void Register(IOnnxModuleWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriterRegistry.Add(writer);
    }

    /// <summary>Adds (or replaces) the writer of a model type (a model registered with ModelCatalog.Register).</summary>
    public static void Register(IOnnxModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        WriterRegistry.Add(writer);
    }

    /// <summary>Exports an artifact into a directory: model.onnx, and pipeline.json for an id-input model.</summary>
    /// <param name="artifact">The trained artifact.</param>
    /// <param name="directory">The output directory (created).</param>
    /// <param name="options">Inputs and overwriting.</param>
    /// <exception cref="OnnxExportException">The model, a module or a field cannot be exported (the message names it), or the directory holds an export and <see cref="OnnxExportOptions.Overwrite"/> is false.</exception>
    public static OnnxExportResult Export(ModelArtifact artifact, string directory, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        options ??= new OnnxExportOptions();
        var modelPath = Path.Combine(directory, OnnxNames.ModelFile);
        var pipelinePath = Path.Combine(directory, OnnxNames.PipelineFile);
        if (!options.Overwrite && (File.Exists(modelPath) || File.Exists(pipelinePath)))
        {
            throw new OnnxExportException($"{directory} already holds an ONNX export ({OnnxNames.ModelFile} or {OnnxNames.PipelineFile}); export with Overwrite to replace it");
        }

        var (model, inputs, inputNames, notInGraph) = Build(artifact.Model, artifact.Pipeline, options.Inputs);
        Directory.CreateDirectory(directory);
        WriteAtomically(modelPath, stream => model.WriteTo(stream));
        string? written = null;
        if (inputs == OnnxInputs.Ids)
        {
            WriteAtomically(pipelinePath, stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(artifact.Pipeline.ToJson())));
            written = pipelinePath;
        }
        else
        {
            File.Delete(pipelinePath); // a raw-input model needs no sidecar; a stale one would mislead
        }

        return new OnnxExportResult(modelPath, written, inputs, inputNames, notInGraph, new FileInfo(modelPath).Length);
    }

    /// <summary>Builds the ONNX model in memory.</summary>
    internal static (ModelProto Model, OnnxInputs Inputs, IReadOnlyList<string> InputNames, IReadOnlyList<string> NotInGraph) Build(IMultiTaskModel model, FeaturePipeline pipeline, OnnxInputs requested)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(pipeline);
        var writer = WriterRegistry.Model(model.GetType())
            ?? throw new OnnxExportException($"Cannot export model '{model.ModelName}' ({model.GetType().FullName}) to ONNX: no ONNX writer for this model type; register an IOnnxModelWriter with OnnxExporter.Register{UnknownModules(model)}");
        var notInGraph = PipelineGraph.Unsupported(pipeline);
        if (requested == OnnxInputs.Raw && notInGraph.Count > 0)
        {
            throw new OnnxExportException($"Cannot put the feature pipeline of model '{model.ModelName}' into the ONNX graph: {string.Join("; ", notInGraph)}; export with id inputs instead");
        }

        var inputs = requested == OnnxInputs.Ids || notInGraph.Count > 0 ? OnnxInputs.Ids : OnnxInputs.Raw;
        var graph = new OnnxGraph(model.ModelName, WriterRegistry.Module);
        string ids;
        string? weights;
        IReadOnlyCollection<RawInput> raw = [];
        var wasTraining = model.TorchModule.training;
        model.TorchModule.eval();
        try
        {
            if (inputs == OnnxInputs.Raw)
            {
                (ids, weights, raw) = PipelineGraph.Write(graph, pipeline);
            }
            else
            {
                (ids, weights) = PipelineGraph.IdInputs(graph, pipeline);
            }

            graph.Rename(writer.Write(graph, model, ids, weights), OnnxNames.Probabilities);
        }
        catch (NotSupportedException e)
        {
            throw new OnnxExportException($"Cannot export model '{model.ModelName}' to ONNX: {e.Message}", e);
        }
        finally
        {
            model.TorchModule.train(wasTraining);
        }

        graph.Output(OnnxNames.Probabilities, TensorProto.Types.DataType.Float, "batch", model.TaskNames.Count);
        var proto = new ModelProto
        {
            IrVersion = IrVersion,
            ProducerName = "STEM.Recommenders",
            ProducerVersion = ModelArtifact.LibraryVersion,
            Domain = "stem.recommenders",
            DocString = $"{model.ModelName}: one probability per task ({string.Join(", ", model.TaskNames)}) from {(inputs == OnnxInputs.Raw ? "raw column values" : "encoded ids")}.",
            Graph = graph.Proto,
        };
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = string.Empty, Version = Opset });
        proto.OpsetImport.Add(new OperatorSetIdProto { Domain = "ai.onnx.ml", Version = MlOpset });
        var columns = pipeline.Schema.Features.SelectMany(f => f.SourceColumns).Distinct(StringComparer.Ordinal).ToArray();
        var metadata = new Dictionary<string, string>
        {
            [OnnxNames.FormatVersionKey] = FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [OnnxNames.LibraryVersionKey] = ModelArtifact.LibraryVersion,
            [OnnxNames.ModelKey] = model.ModelName,
            [OnnxNames.TasksKey] = JsonSerializer.Serialize(model.TaskNames),
            [OnnxNames.InputColumnsKey] = JsonSerializer.Serialize(columns),
            [OnnxNames.PipelineHashKey] = pipeline.ContentHash,
            [OnnxNames.InputsKey] = inputs == OnnxInputs.Raw ? "raw" : "ids",
        };
        if (inputs == OnnxInputs.Raw)
        {
            metadata[OnnxNames.RawInputsKey] = RawInputJson.Serialize(raw);
        }
        else
        {
            metadata[OnnxNames.NotInGraphKey] = JsonSerializer.Serialize(notInGraph);
        }

        foreach (var (key, value) in metadata)
        {
            proto.MetadataProps.Add(new StringStringEntryProto { Key = key, Value = value });
        }

        if (proto.CalculateSize() is var size && size > MaxModelBytes)
        {
            throw new OnnxExportException($"Cannot export model '{model.ModelName}' to ONNX: {size:N0} bytes is over the 2 GB limit of one protobuf file (ONNX external data is not written yet)");
        }

        var inputNames = inputs == OnnxInputs.Raw ? raw.Select(r => r.Column).ToArray() : weights is null ? [OnnxNames.Ids] : new[] { OnnxNames.Ids, OnnxNames.Weights };
        return (proto, inputs, inputNames, notInGraph);
    }

    /// <summary>The modules of a model that no writer knows, for the error message.</summary>
    private static string UnknownModules(IMultiTaskModel model)
    {
        // Modules inside a module that has a writer are that writer's business (its parameter lists, its own children).
        var modules = model.TorchModule.named_modules().Where(m => !ReferenceEquals(m.module, model.TorchModule)).ToArray();
        var known = modules.Where(m => WriterRegistry.Module(m.module.GetType()) is not null).Select(m => m.name + ".").ToArray();
        var unknown = modules
            .Where(m => !m.module.named_children().Any()
                && WriterRegistry.Module(m.module.GetType()) is null
                && !known.Any(prefix => m.name.StartsWith(prefix, StringComparison.Ordinal)))
            .Select(m => $"{m.module.GetType().Name} (at '{m.name}')")
            .Distinct()
            .ToArray();
        return unknown.Length == 0 ? string.Empty : $"; modules without an ONNX writer: {string.Join(", ", unknown)}";
    }

    private static void WriteAtomically(string path, Action<Stream> write)
    {
        var temporary = path + ".tmp";
        using (var stream = File.Create(temporary))
        {
            write(stream);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
