using System.CommandLine;
using System.Text.Json.Serialization;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Data;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Serving;
using static TorchSharp.torch;

namespace STEM.Recommenders.Cli.Commands;

/// <summary>
/// <c>stem evaluate</c>: per-task metrics of a trained artifact on labelled files, streamed chunk by
/// chunk. With <c>--shard</c> and <c>--state-output</c> each worker writes a mergeable metric state;
/// <c>--merge-states</c> merges them into the report a single run over all files prints.
/// </summary>
internal static class EvaluateCommand
{
    private const string MergeOption = "--merge-states";

    public static Command Create(StemApp app)
    {
        var model = ModelOption(required: false);
        var data = new Option<string[]>("--data", "-d")
        {
            Description = "Labelled data: CSV or TSV (optionally .gz) or Parquet files, directories (every data file under them) or globs, with the columns the model was trained on. Several files are reported one by one and together.",
            HelpName = "FILE|DIR|GLOB",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var joins = JoinSpec.CreateOption();
        var batchSize = OptionParsers.Int("--batch-size", "Rows per inference batch.", 1, Evaluator.DefaultBatchSize);
        var chunkRows = PredictCommand.ChunkRowsOption();
        var shard = ShardSpec.CreateOption("evaluate");
        var stateOutput = new Option<string?>("--state-output")
        {
            Description = "Write this run's mergeable metric state (JSON; .gz compresses) for --merge-states.",
            HelpName = "FILE",
        };
        var merge = new Option<string[]>(MergeOption)
        {
            Description = "Merge the states that --state-output wrote (files, directories or globs) and print the report of one run over all their files. Needs no model or data.",
            HelpName = "FILE|DIR|GLOB",
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var command = new Command("evaluate", "Evaluate a trained model on labelled data: per-task AUC, gAUC, log loss and calibration.");
        command.Options.Add(model);
        command.Options.Add(data);
        command.Options.Add(joins);
        command.Options.Add(batchSize);
        command.Options.Add(chunkRows);
        command.Options.Add(shard);
        command.Options.Add(stateOutput);
        command.Options.Add(merge);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            if (parse.GetValue(merge) is { Length: > 0 } states)
            {
                var conflict = new Option[] { model, data, shard, stateOutput, joins }.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false });
                if (conflict is not null)
                {
                    throw new CliUsageException(MergeOption, $"merges finished states and reads neither a model nor data; leave out {conflict.Name}");
                }

                return await MergeAsync(session, states, cancellationToken);
            }

            var modelPath = parse.GetValue(model) ?? throw new CliUsageException("--model", $"give the trained model (--model DIR), or merge evaluation states with {MergeOption} FILE...");
            var sources = parse.GetValue(data) is { Length: > 0 } given ? given : throw new CliUsageException("--data", "give the labelled data (--data FILE|DIR|GLOB ...)");
            var shardSpec = parse.GetValue(shard);
            var statePath = parse.GetValue(stateOutput);
            var readers = DataFiles.Readers();
            var all = InputFiles.Expand(readers, sources);
            var mine = (shardSpec ?? ShardSpec.All).Select(all);

            var device = session.StartRuntime();
            using var artifact = await ModelArtifact.LoadAsync(modelPath, device, cancellationToken);
            var sides = await DataFiles.ReadSideTablesIndexedAsync(readers, parse.GetValue(joins) ?? [], cancellationToken);
            var tasks = artifact.Model.TaskNames;
            var combined = new EvaluationState(tasks);
            var results = new List<FileResult>();
            var entries = new List<EvaluationStateEntry>();
            foreach (var file in mine)
            {
                var (rows, state) = await EvaluateFileAsync(artifact, device, readers, sides, file.Path, parse.GetValue(batchSize), parse.GetValue(chunkRows), cancellationToken);
                results.Add(new FileResult(file.Path, rows, state.Compute()));
                if (mine.Count > 1)
                {
                    combined.Merge(state);
                }

                if (statePath is not null)
                {
                    entries.Add(new EvaluationStateEntry { Index = file.Index, Path = file.Path, Rows = rows, State = state });
                }

                session.Info($"Evaluated {file.Path}: {rows:N0} rows");
            }

            if (shardSpec is { } s && mine.Count == 0)
            {
                session.Info($"Shard {s}: no input file (the input list has {all.Count})");
            }

            if (statePath is not null)
            {
                await EvaluationStateFile.WriteAsync(statePath, new EvaluationStateDocument
                {
                    Format = EvaluationStateDocument.FormatName,
                    FormatVersion = EvaluationStateDocument.CurrentVersion,
                    Model = modelPath,
                    ModelName = artifact.Metadata.ModelName,
                    ModelCreatedUtc = artifact.Metadata.CreatedUtc,
                    Tasks = tasks,
                    Shard = (shardSpec ?? ShardSpec.All).ToString(),
                    InputFiles = all.Count,
                    Files = entries,
                }, cancellationToken);
                session.Info($"State written to {statePath}");
            }

            var allTitle = shardSpec is { } spec ? $"All {mine.Count} files of shard {spec}" : $"All {mine.Count} files";
            var report = new EvaluateResult("evaluate", modelPath, artifact.Metadata.ModelName, tasks, results, mine.Count > 1 ? combined.Compute() : null) { Shard = shardSpec?.ToString() };
            Show(session, report, allTitle);
            await session.WriteJsonAsync(report, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    internal static Option<string> ModelOption(bool required = true) => new("--model", "-m")
    {
        Description = "The trained model: an artifact directory (the model/ directory that train writes) or a .zip/.stem file.",
        HelpName = "DIR",
        Required = required,
    };

    private static async Task<(long Rows, EvaluationState State)> EvaluateFileAsync(ModelArtifact artifact, Device device, TableReaderRegistry readers, IReadOnlyList<SideTable> sides, string file, int batchSize, int chunkRows, CancellationToken cancellationToken)
    {
        var tasks = artifact.Model.TaskNames;
        var state = new EvaluationState(tasks);
        long rows = 0;
        await foreach (var chunk in readers.ReadChunksAsync(file, null, chunkRows, cancellationToken))
        {
            var table = DataFiles.Join(chunk, sides);
            rows += table.RowCount;
            using var encoded = artifact.Pipeline.Encode(table, DatasetRole.Test, device);

            // Group ids index the chunk's own key list; the state keys groups by the raw key, so a
            // user in several chunks, files or shards is one group.
            var keys = encoded.GroupKeys;
            Evaluator.ForEachBatch(artifact.Model, encoded, batchSize, (batch, output) =>
            {
                var probabilities = ToArray<float>(output.Probabilities(), ScalarType.Float32);
                var labels = ToArray<float>(batch.Labels, ScalarType.Float32);
                var mask = batch.LabelMask is null ? null : ToArray<float>(batch.LabelMask, ScalarType.Float32);
                var groups = batch.GroupIds is null ? null : ToArray<long>(batch.GroupIds, ScalarType.Int64);
                var count = probabilities.Length / tasks.Count;
                for (var r = 0; r < count; r++)
                {
                    var group = groups is null || keys is null || groups[r] < 0 ? null : keys[(int)groups[r]];
                    for (var k = 0; k < tasks.Count; k++)
                    {
                        var at = (r * tasks.Count) + k;
                        if (mask is not null && mask[at] < 0.5f)
                        {
                            continue;
                        }

                        state.Add(k, probabilities[at], labels[at], group);
                    }
                }
            });
        }

        return (rows, state);
    }

    private static async Task<int> MergeAsync(Session session, IReadOnlyList<string> sources, CancellationToken cancellationToken)
    {
        var paths = InputFiles.ExpandStates(sources);
        EvaluationStateDocument? first = null;
        string? firstPath = null;
        EvaluationState? combined = null;
        var results = new SortedDictionary<int, FileResult>();
        var owners = new Dictionary<int, string>();
        var shards = new List<ShardSpec>();
        foreach (var path in paths)
        {
            var document = await EvaluationStateFile.ReadAsync(path, cancellationToken);
            if (first is null)
            {
                (first, firstPath, combined) = (document, path, new EvaluationState(document.Tasks));
            }
            else
            {
                Check(path, "model", $"{document.ModelName} (created {document.ModelCreatedUtc:O})", $"{first.ModelName} (created {first.ModelCreatedUtc:O})", firstPath!);
                Check(path, "tasks", string.Join(", ", document.Tasks), string.Join(", ", first.Tasks), firstPath!);
                Check(path, "input list", $"{document.InputFiles} files", $"{first.InputFiles} files", firstPath!);
            }

            shards.Add(ShardSpec.Parse(document.Shard)!.Value);
            foreach (var entry in document.Files)
            {
                if (!owners.TryAdd(entry.Index, path))
                {
                    throw new DataFormatException(path, $"input file {entry.Index} ({entry.Path}) is also in {owners[entry.Index]}; give each shard's state once");
                }

                results[entry.Index] = new FileResult(entry.Path, entry.Rows, entry.State.Compute());
                combined!.Merge(entry.State);
            }
        }

        if (results.Count != first!.InputFiles)
        {
            var missing = Enumerable.Range(0, first.InputFiles).Where(i => !results.ContainsKey(i)).ToArray();
            var counts = shards.Select(s => s.Count).Distinct().ToArray();
            var which = counts.Length == 1
                ? $"the state of shard{(missing.Select(i => i % counts[0]).Distinct().Count() > 1 ? "s" : string.Empty)} {string.Join(", ", missing.Select(i => i % counts[0]).Distinct().Order().Select(i => $"{i}/{counts[0]}"))} is missing"
                : $"input files {string.Join(", ", missing.Take(10))} are in none of them";
            throw new CliUsageException(MergeOption, $"the {paths.Count} state{(paths.Count == 1 ? string.Empty : "s")} cover {results.Count} of the {first.InputFiles} input files: {which}");
        }

        var files = results.Values.ToArray();
        session.Info($"Merged {paths.Count} state{(paths.Count == 1 ? string.Empty : "s")} of {files.Length} input files");
        var report = new EvaluateResult("evaluate", first.Model, first.ModelName, first.Tasks, files, files.Length > 1 ? combined!.Compute() : null);
        Show(session, report, $"All {files.Length} files");
        await session.WriteJsonAsync(report, cancellationToken);
        return ExitCodes.Success;

        static void Check(string path, string what, string value, string expected, string firstPath)
        {
            if (value != expected)
            {
                throw new DataFormatException(path, $"the state's {what} is {value} but {firstPath}'s is {expected}; merge the states of one model over one input list");
            }
        }
    }

    private static void Show(Session session, EvaluateResult report, string allTitle)
    {
        if (!session.ShowResults)
        {
            return;
        }

        foreach (var result in report.Files)
        {
            session.WriteTable(Render.EvaluationTable(session, result.Metrics), $"{result.Path} ({result.Rows:N0} rows), model {report.ModelName}");
        }

        if (report.Combined is not null)
        {
            session.WriteTable(Render.EvaluationTable(session, report.Combined), $"{allTitle} ({report.Files.Sum(r => r.Rows):N0} rows)");
        }
    }

    private static T[] ToArray<T>(Tensor tensor, ScalarType type)
        where T : unmanaged =>
        tensor.detach().to(type).cpu().contiguous().data<T>().ToArray();

    /// <summary>One file's metrics.</summary>
    internal sealed record FileResult(string Path, long Rows, EvaluationReport Metrics);

    /// <summary>The --json document of <c>stem evaluate</c>.</summary>
    internal sealed record EvaluateResult(string Command, string Model, string ModelName, IReadOnlyList<string> Tasks, IReadOnlyList<FileResult> Files, EvaluationReport? Combined)
    {
        /// <summary>The shard a --shard run evaluated; absent otherwise, so a merged report is a single run's.</summary>
        [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
        public string? Shard { get; init; }
    }
}
