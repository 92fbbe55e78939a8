using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Onnx;
using STEM.Recommenders.PyTorch;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Cli.Commands;

/// <summary>
/// <c>stem export</c>: a trained artifact as a PyTorch state dict with its vocabularies (for PyTorch
/// and TorchRec, the default) or as one ONNX model with its feature pipeline (for ONNX Runtime).
/// </summary>
internal static class ExportCommand
{
    public const string PyTorch = "pytorch";
    public const string Onnx = "onnx";

    private static readonly string[] Formats = [PyTorch, Onnx];
    private static readonly string[] InputKinds = ["auto", "raw", "ids"];

    public static Command Create(StemApp app)
    {
        var artifactPath = new Argument<string>("artifact") { Description = "The model artifact (a directory, or a .stem/.zip file) written by stem train.", HelpName = "ARTIFACT" };
        var output = new Option<string>("--output", "-o") { Description = "The directory to write the export into (pytorch: model.pt, vocab.json, export.json; onnx: model.onnx, and pipeline.json for id inputs).", HelpName = "DIR", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output directory." };
        var format = Choice("--format", "What to write: pytorch (a state dict for torch.load, the default) or onnx (a model for ONNX Runtime, its feature pipeline in the graph where ONNX can express it).", Formats, PyTorch);
        var inputs = Choice("--inputs", "ONNX inputs: auto (raw columns when every field can be expressed in ONNX, else ids; the default), raw (an error when a field cannot be), or ids (encoded ids, with pipeline.json beside the model).", InputKinds, "auto");
        var command = new Command("export", "Export a trained model: for PyTorch/TorchRec (model.pt, vocab.json, export.json) or, with --format onnx, for ONNX Runtime (model.onnx).");
        command.Arguments.Add(artifactPath);
        command.Options.Add(output);
        command.Options.Add(overwrite);
        command.Options.Add(format);
        command.Options.Add(inputs);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var directory = parse.GetValue(output)!;
            var onnx = parse.GetValue(format) == Onnx;
            if (!onnx && parse.Given(inputs) is not null)
            {
                throw new CliUsageException("--inputs", "applies to --format onnx only");
            }

            // Refused before the artifact is read: an existing export is never replaced by accident.
            if ((Directory.Exists(directory) || File.Exists(directory)) && !parse.GetValue(overwrite))
            {
                throw new CliUsageException("--output", $"'{directory}' already exists; give --overwrite to replace it");
            }

            if (File.Exists(directory))
            {
                throw new CliUsageException("--output", $"'{directory}' is a file; the export is a directory");
            }

            session.StartRuntime();
            var path = parse.GetValue(artifactPath)!;
            using var artifact = await ModelArtifact.LoadAsync(path, cancellationToken: cancellationToken);
            if (onnx)
            {
                var result = ExportOnnx(artifact, path, directory, parse.GetValue(inputs)!);
                if (session.ShowResults)
                {
                    var how = result.Inputs == OnnxInputs.Raw ? "raw columns in" : $"encoded ids in (not in the graph: {string.Join("; ", result.NotInGraph)})";
                    session.Result($"Exported {artifact.Metadata.ModelName} to ONNX ({result.Bytes:N0} bytes, {how}) → {directory}: {string.Join(", ", new[] { OnnxNames.ModelFile, result.PipelinePath is null ? null : OnnxNames.PipelineFile }.OfType<string>())}");
                }

                await session.WriteJsonAsync(new OnnxExportDocument("export", Onnx, path, directory, artifact.Metadata.ModelName, result.Inputs == OnnxInputs.Raw ? "raw" : "ids", result.InputNames, result.NotInGraph), cancellationToken);
                return ExitCodes.Success;
            }

            var tensors = PyTorchExport.Export(artifact, directory, overwrite: true);
            if (session.ShowResults)
            {
                session.Result($"Exported {artifact.Metadata.ModelName} ({tensors.Count} tensors, {tensors.Sum(t => t.Shape.Aggregate(1L, (a, b) => a * b)):N0} values) → {directory}: {PyTorchExport.StateDictFile}, {PyTorchExport.VocabularyFile}, {PyTorchExport.DescriptionFile}");
            }

            await session.WriteJsonAsync(new ExportResult("export", path, directory, artifact.Metadata.ModelName, tensors.Select(t => t.Name).ToArray()), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Writes into a directory beside the target and renames it into place, so a failed export leaves nothing.</summary>
    private static OnnxExportResult ExportOnnx(ModelArtifact artifact, string artifactPath, string directory, string inputs)
    {
        var full = Path.GetFullPath(directory);
        var partial = full.TrimEnd(Path.DirectorySeparatorChar) + ".partial-" + Guid.NewGuid().ToString("N")[..8];
        try
        {
            var kind = inputs switch { "raw" => OnnxInputs.Raw, "ids" => OnnxInputs.Ids, _ => OnnxInputs.Auto };
            var written = OnnxExporter.Export(artifact, partial, new OnnxExportOptions { Inputs = kind });
            if (Directory.Exists(full))
            {
                Directory.Delete(full, recursive: true);
            }

            Directory.Move(partial, full);
            return written with
            {
                ModelPath = Path.Combine(directory, OnnxNames.ModelFile),
                PipelinePath = written.PipelinePath is null ? null : Path.Combine(directory, OnnxNames.PipelineFile),
            };
        }
        catch (OnnxExportException e)
        {
            // The artifact holds something ONNX cannot express (the message names the model and the module or field).
            throw new InvalidDataException($"{artifactPath}: {e.Message}", e);
        }
        finally
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
        }
    }

    internal static Option<string> Choice(string name, string description, string[] choices, string defaultValue) => new(name)
    {
        Description = description,
        HelpName = string.Join('|', choices),
        DefaultValueFactory = _ => defaultValue,
        CustomParser = r =>
        {
            var token = r.Tokens.Count == 0 ? string.Empty : r.Tokens[^1].Value;
            if (choices.Contains(token, StringComparer.OrdinalIgnoreCase))
            {
                return token.ToLowerInvariant();
            }

            r.AddError($"{name}: '{token}' is not one of {string.Join(", ", choices)}");
            return defaultValue;
        },
    };

    /// <summary>The --json document of <c>stem export</c>.</summary>
    internal sealed record ExportResult(string Command, string Artifact, string Output, string Model, IReadOnlyList<string> Tensors);

    /// <summary>The --json document of <c>stem export --format onnx</c>.</summary>
    internal sealed record OnnxExportDocument(string Command, string Format, string Artifact, string Output, string Model, string Inputs, IReadOnlyList<string> InputNames, IReadOnlyList<string> NotInGraph);
}
