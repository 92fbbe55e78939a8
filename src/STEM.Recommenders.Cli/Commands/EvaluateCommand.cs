using STEM.Recommenders.EncodedData;
using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Data;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Serving;
using static TorchSharp.torch;

namespace STEM.Recommenders.Cli.Commands;

/// <summary><c>stem evaluate</c>: per-task metrics of a trained artifact on labelled files.</summary>
internal static class EvaluateCommand
{
    public static Command Create(StemApp app)
    {
        var model = ModelOption();
        var data = new Option<string[]>("--data", "-d")
        {
            Description = "Labelled data file(s): CSV or TSV (optionally .gz) or Parquet, with the columns the model was trained on. Several files are reported one by one and together.",
            HelpName = "FILE",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var joins = JoinSpec.CreateOption();
        var batchSize = OptionParsers.Int("--batch-size", "Rows per inference batch.", 1, Evaluator.DefaultBatchSize);
        var command = new Command("evaluate", "Evaluate a trained model on labelled data: per-task AUC, gAUC, log loss and calibration.");
        command.Options.Add(model);
        command.Options.Add(data);
        command.Options.Add(joins);
        command.Options.Add(batchSize);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var modelPath = parse.GetRequiredValue(model);
            var device = session.StartRuntime();
            using var artifact = await ModelArtifact.LoadAsync(modelPath, device, cancellationToken);
            var readers = DataFiles.Readers();
            var sides = await DataFiles.ReadSideTablesAsync(readers, parse.GetValue(joins) ?? [], cancellationToken);
            var files = parse.GetRequiredValue(data);
            var tasks = artifact.Model.TaskNames;
            var combined = new MetricAccumulator(tasks);
            var globalGroups = new Dictionary<string, long>(StringComparer.Ordinal);
            var results = new List<FileResult>();
            foreach (var file in files)
            {
                var table = DataFiles.Join(await readers.ReadAsync(file, null, cancellationToken), sides);
                using var encoded = artifact.Pipeline.Encode(table, DatasetRole.Test, device);
                var single = new MetricAccumulator(tasks);

                // Group ids index each file's own key list; map them to one id space so that a user
                // present in two files is one group in the combined gAUC.
                var groupMap = encoded.GroupKeys?.Select(k => globalGroups.TryGetValue(k, out var id) ? id : globalGroups[k] = globalGroups.Count).ToArray();
                Evaluator.ForEachBatch(artifact.Model, encoded, parse.GetValue(batchSize), (batch, output) =>
                {
                    var probabilities = ToArray<float>(output.Probabilities(), ScalarType.Float32);
                    var labels = ToArray<float>(batch.Labels, ScalarType.Float32);
                    var mask = batch.LabelMask is null ? null : ToArray<float>(batch.LabelMask, ScalarType.Float32);
                    var groups = batch.GroupIds is null ? null : ToArray<long>(batch.GroupIds, ScalarType.Int64);
                    var rows = probabilities.Length / tasks.Count;
                    for (var r = 0; r < rows; r++)
                    {
                        var group = groups is null ? -1 : groups[r];
                        for (var k = 0; k < tasks.Count; k++)
                        {
                            var at = (r * tasks.Count) + k;
                            if (mask is not null && mask[at] < 0.5f)
                            {
                                continue;
                            }

                            single.Add(k, probabilities[at], labels[at], group);
                            combined.Add(k, probabilities[at], labels[at], group >= 0 && groupMap is not null ? groupMap[group] : -1);
                        }
                    }
                });
                results.Add(new FileResult(file, table.RowCount, single.Compute()));
                session.Info($"Evaluated {file}: {table.RowCount:N0} rows");
            }

            var all = files.Length > 1 ? combined.Compute() : null;
            if (session.ShowResults)
            {
                foreach (var result in results)
                {
                    session.WriteTable(Render.EvaluationTable(session, result.Metrics), $"{result.Path} ({result.Rows:N0} rows), model {artifact.Metadata.ModelName}");
                }

                if (all is not null)
                {
                    session.WriteTable(Render.EvaluationTable(session, all), $"All {files.Length} files ({results.Sum(r => r.Rows):N0} rows)");
                }
            }

            await session.WriteJsonAsync(new EvaluateResult("evaluate", modelPath, artifact.Metadata.ModelName, tasks, results, all), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static Option<string> ModelOption() => new("--model", "-m")
    {
        Description = "The trained model: an artifact directory (the model/ directory that train writes) or a .zip/.stem file.",
        HelpName = "DIR",
        Required = true,
    };

    private static T[] ToArray<T>(Tensor tensor, ScalarType type)
        where T : unmanaged =>
        tensor.detach().to(type).cpu().contiguous().data<T>().ToArray();

    /// <summary>One file's metrics.</summary>
    internal sealed record FileResult(string Path, int Rows, EvaluationReport Metrics);

    /// <summary>The --json document of <c>stem evaluate</c>.</summary>
    internal sealed record EvaluateResult(string Command, string Model, string ModelName, IReadOnlyList<string> Tasks, IReadOnlyList<FileResult> Files, EvaluationReport? Combined);
}
