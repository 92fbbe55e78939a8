using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.PyTorch;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Cli.Commands;

/// <summary><c>stem export</c>: a trained artifact as a PyTorch state dict with its vocabularies, for PyTorch and TorchRec.</summary>
internal static class ExportCommand
{
    public static Command Create(StemApp app)
    {
        var artifactPath = new Argument<string>("artifact") { Description = "The model artifact (a directory, or a .stem/.zip file) written by stem train.", HelpName = "ARTIFACT" };
        var output = new Option<string>("--output", "-o") { Description = "The directory to write model.pt, vocab.json and export.json into.", HelpName = "DIR", Required = true };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace an existing output directory." };
        var command = new Command("export", "Export a trained model for PyTorch/TorchRec: model.pt (a PyTorch state dict for torch.load), vocab.json (the fitted vocabularies and feature layout) and export.json (the tensors described).");
        command.Arguments.Add(artifactPath);
        command.Options.Add(output);
        command.Options.Add(overwrite);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var directory = parse.GetValue(output)!;

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

    /// <summary>The --json document of <c>stem export</c>.</summary>
    internal sealed record ExportResult(string Command, string Artifact, string Output, string Model, IReadOnlyList<string> Tensors);
}
