using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Data;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Cli.Commands;

/// <summary>
/// <c>stem predict</c>: scores raw rows with a trained artifact and writes one probability column per
/// task. One input file scores into one output file (or stdout); a directory, a glob, several inputs
/// or <c>--shard</c> score each input file into its own output under an output directory, streaming
/// every file chunk by chunk so that memory does not grow with the data.
/// </summary>
internal static class PredictCommand
{
    public const string ProbabilityPrefix = "p_";

    public static Command Create(StemApp app)
    {
        var model = EvaluateCommand.ModelOption();
        model.Description += " With --backend onnx: the directory stem export --format onnx wrote, or its model.onnx.";
        var backend = ExportCommand.Choice("--backend", "What scores: torch (the TorchSharp model of the artifact, the default) or onnx (ONNX Runtime over an ONNX export given to --model).", PredictBackend.All, PredictBackend.Torch);
        var input = new Option<string[]>("--input", "-i")
        {
            Description = "Rows to score: CSV or TSV (optionally .gz) or Parquet files, directories (every data file under them, e.g. a partitioned dataset) or globs ('data/**/*.parquet'). Label columns are not needed.",
            HelpName = "FILE|DIR|GLOB",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
            AllowMultipleArgumentsPerToken = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the scores: a .csv, .tsv (.gz compresses) or .parquet file, or - for stdout; a directory (one output per input file) when the input is a directory, a glob or several files, or with --shard.",
            HelpName = "FILE|DIR",
            Required = true,
        };
        var keep = new Option<string[]?>("--keep")
        {
            Description = "Input columns to copy into the output, comma-separated (default: every column of the input file; --keep '' copies none).",
            HelpName = "COLUMN[,...]",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = r => r.Tokens.Count == 0 ? null : r.Tokens[^1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        var joins = JoinSpec.CreateOption();
        var batchSize = OptionParsers.Int("--batch-size", $"Rows per inference batch (default on the CPU: torch {PredictorOptions.CpuBatchSize}, onnx {STEM.Recommenders.Onnx.Serving.OnnxPredictorOptions.CpuBatchSize}; on a GPU {PredictorOptions.GpuBatchSize}).", 1);
        var chunkRows = ChunkRowsOption();
        var shard = ShardSpec.CreateOption("score");
        var format = new Option<ScoreFormat?>(ScoreFormat.OptionName)
        {
            Description = $"Format of the outputs in an output directory: {string.Join(", ", ScoreFormat.All)}. Default parquet. (A single output file's format follows its extension.)",
            HelpName = "FORMAT",
            CustomParser = r =>
            {
                var token = r.Tokens.Count == 0 ? string.Empty : r.Tokens[^1].Value;
                if (ScoreFormat.Parse(token) is { } parsed)
                {
                    return parsed;
                }

                r.AddError($"{ScoreFormat.OptionName}: '{token}' is not one of {string.Join(", ", ScoreFormat.All)}");
                return null;
            },
        };
        var overwrite = new Option<bool>("--overwrite") { Description = "Replace outputs that an earlier run left in the output directory (otherwise the run is refused before it scores anything)." };
        var command = new Command("predict", $"Score rows with a trained model; writes the kept input columns and one probability column per task ({ProbabilityPrefix}TASK).");
        command.Options.Add(model);
        command.Options.Add(input);
        command.Options.Add(output);
        command.Options.Add(keep);
        command.Options.Add(joins);
        command.Options.Add(batchSize);
        command.Options.Add(chunkRows);
        command.Options.Add(shard);
        command.Options.Add(format);
        command.Options.Add(overwrite);
        command.Options.Add(backend);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var sources = parse.GetRequiredValue(input);
            var outputPath = parse.GetRequiredValue(output);
            var shardSpec = parse.GetValue(shard);
            var toDirectory = sources.Length > 1 || sources.Any(InputFiles.IsSet) || shardSpec is not null || Directory.Exists(outputPath);
            var run = new Run(
                session,
                parse.GetRequiredValue(model),
                parse.GetValue(joins) ?? [],
                parse.Given(keep),
                parse.GetValue(batchSize),
                parse.GetValue(chunkRows),
                DataFiles.Readers(),
                parse.GetValue(backend)!,
                cancellationToken);
            if (toDirectory)
            {
                return await ScoreToDirectoryAsync(run, sources, outputPath, shardSpec ?? ShardSpec.All, shardSpec is not null, parse.GetValue(format) ?? ScoreFormat.Parquet, parse.GetValue(overwrite));
            }

            if (parse.Given(format) is not null)
            {
                throw new CliUsageException(ScoreFormat.OptionName, "a single output file's format follows its extension (.csv, .tsv, .parquet, .gz); --format applies when --output is a directory");
            }

            return await ScoreToFileAsync(run, sources[0], outputPath);
        });
        return command;
    }

    internal static Option<int> ChunkRowsOption() =>
        OptionParsers.Int("--chunk-rows", "Rows read from an input file at a time (Parquet reads one row group at a time); memory is bounded by a chunk, not by the file.", 1, TableReadRequest.DefaultChunkRows);

    private static async Task<int> ScoreToFileAsync(Run run, string inputPath, string outputPath)
    {
        var toStdout = outputPath == "-";
        if (toStdout && run.Session.JsonToStdout)
        {
            throw new CliUsageException("--json", "stdout already carries the scores (--output -); give the JSON a file: --json PATH");
        }

        var files = InputFiles.Expand(run.Readers, [inputPath]);
        using var predictor = await run.LoadAsync();
        var sides = await DataFiles.ReadSideTablesIndexedAsync(run.Readers, run.Joins, run.CancellationToken);
        Scored scored;
        if (toStdout)
        {
            scored = await ScoreAsync(run, predictor, sides, files[0].Path, (kept, scores) => ScoreSink.OpenAsync(run.Session.Stdout, kept, scores, run.CancellationToken));
        }
        else
        {
            var format = ScoreFormat.FromPath(outputPath);
            scored = default!;
            await AtomicFile.WriteAsync(outputPath, async stream =>
                scored = await ScoreAsync(run, predictor, sides, files[0].Path, (kept, scores) => ScoreSink.OpenAsync(format, stream, outputPath, kept, scores, run.CancellationToken)));
        }

        run.Session.Info($"Scored {scored.Rows:N0} rows of {inputPath} with {predictor.ModelName}; wrote {(toStdout ? "stdout" : outputPath)}");
        await run.Session.WriteJsonAsync(new PredictResult("predict", run.ModelPath, inputPath, toStdout ? "-" : outputPath, scored.Rows, predictor.TaskNames, ScoreColumns(predictor), scored.MeanProbability), run.CancellationToken);
        return ExitCodes.Success;
    }

    private static async Task<int> ScoreToDirectoryAsync(Run run, IReadOnlyList<string> sources, string outputDirectory, ShardSpec shard, bool sharded, ScoreFormat format, bool overwrite)
    {
        if (outputDirectory == "-")
        {
            throw new CliUsageException("--output", "a directory, a glob, several inputs or --shard write one output per input file; give an output directory (--output DIR)");
        }

        if (File.Exists(outputDirectory))
        {
            throw new CliUsageException("--output", $"'{outputDirectory}' is a file; one output per input file needs an output directory");
        }

        if (InputFiles.SetRoots(sources).FirstOrDefault(root => InputFiles.IsWithin(outputDirectory, root)) is { } inside)
        {
            throw new CliUsageException("--output", $"'{outputDirectory}' is inside the input directory '{inside}', so that its outputs would become inputs of later runs; write them elsewhere");
        }

        // Every worker computes the whole list and every output name, so that all of them agree on
        // the list and refuse the same collisions, whichever shard they score.
        var all = InputFiles.Expand(run.Readers, sources);
        var targets = new Dictionary<string, InputFile>(StringComparer.Ordinal);
        var outputs = new string[all.Count];
        foreach (var file in all)
        {
            var target = Path.Combine(outputDirectory, format.OutputName(file.Relative));
            if (!targets.TryAdd(Path.GetFullPath(target), file))
            {
                throw new CliUsageException("--input", $"'{targets[Path.GetFullPath(target)].Path}' and '{file.Path}' would both write {target}; score them into different output directories");
            }

            outputs[file.Index] = target;
        }

        var mine = shard.Select(all);
        var existing = mine.Select(f => outputs[f.Index]).Where(t => File.Exists(t) || Directory.Exists(t)).ToArray();
        if (existing.Length > 0 && !overwrite)
        {
            throw new CliUsageException("--output", $"'{outputDirectory}' already holds {existing.Length} of the {mine.Count} outputs of this run, e.g. {existing[0]}; give --overwrite to replace them");
        }

        using var predictor = await run.LoadAsync();
        var sides = await DataFiles.ReadSideTablesIndexedAsync(run.Readers, run.Joins, run.CancellationToken);
        var results = new List<ScoredFile>();
        foreach (var file in mine)
        {
            run.CancellationToken.ThrowIfCancellationRequested();
            var target = outputs[file.Index];
            AtomicFile.RemoveStale(target);
            Scored scored = default!;
            await AtomicFile.WriteAsync(target, async stream =>
                scored = await ScoreAsync(run, predictor, sides, file.Path, (kept, scores) => ScoreSink.OpenAsync(format, stream, target, kept, scores, run.CancellationToken)));
            results.Add(new ScoredFile(file.Index, file.Path, target, scored.Rows, scored.MeanProbability));
            run.Session.Info($"Scored {scored.Rows:N0} rows of {file.Path}; wrote {target}");
        }

        var rows = results.Sum(r => r.Rows);
        var of = sharded ? $"Shard {shard}: scored {mine.Count} of {all.Count} input files" : $"Scored {all.Count} input files";
        run.Session.Info($"{of} ({rows:N0} rows) with {predictor.ModelName}; wrote {outputDirectory}");
        await run.Session.WriteJsonAsync(new PredictDirectoryResult("predict", run.ModelPath, shard.ToString(), all.Count, outputDirectory, format.Name, rows, predictor.TaskNames, ScoreColumns(predictor), results), run.CancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>Streams one input file through the model into the sink that <paramref name="open"/> opens once the kept columns are known.</summary>
    private static async Task<Scored> ScoreAsync(Run run, IScorer predictor, IReadOnlyList<SideTable> sides, string inputPath, Func<IReadOnlyList<string>, IReadOnlyList<string>, Task<ScoreSink>> open)
    {
        var tasks = predictor.TaskNames;
        var scoreColumns = ScoreColumns(predictor);
        var sums = new double[tasks.Count];
        long rows = 0;
        ScoreSink? sink = null;
        try
        {
            string[]? keptNames = null;
            await foreach (var chunk in run.Readers.ReadChunksAsync(inputPath, null, run.ChunkRows, run.CancellationToken))
            {
                var probabilities = predictor.PredictTable(DataFiles.Join(chunk, sides));
                keptNames ??= run.Keep ?? chunk.ColumnNames.ToArray();
                var kept = keptNames.Select(chunk.Column).ToArray();
                if (sink is null)
                {
                    if (kept.FirstOrDefault(c => scoreColumns.Contains(c.Name, StringComparer.Ordinal)) is { } clash)
                    {
                        throw new CliUsageException("--keep", $"input column '{clash.Name}' has the name of a probability column; leave it out with --keep");
                    }

                    sink = await open(keptNames, scoreColumns);
                }

                await sink.WriteAsync(kept, probabilities, chunk.RowCount, run.CancellationToken);
                for (var r = 0; r < chunk.RowCount; r++)
                {
                    for (var k = 0; k < sums.Length; k++)
                    {
                        sums[k] += probabilities[(r * sums.Length) + k];
                    }
                }

                rows += chunk.RowCount;
            }

            await sink!.CompleteAsync(run.CancellationToken);
        }
        finally
        {
            if (sink is not null)
            {
                await sink.DisposeAsync();
            }
        }

        var means = tasks.Select((t, k) => new KeyValuePair<string, double>(t, rows == 0 ? double.NaN : sums[k] / rows)).ToDictionary();
        return new Scored(rows, means);
    }

    private static string[] ScoreColumns(IScorer predictor) => predictor.TaskNames.Select(t => ProbabilityPrefix + t).ToArray();

    /// <summary>What every scoring path of one invocation shares.</summary>
    private sealed record Run(Session Session, string ModelPath, IReadOnlyList<JoinSpec> Joins, string[]? Keep, int? BatchSize, int ChunkRows, TableReaderRegistry Readers, string Backend, CancellationToken CancellationToken)
    {
        public async Task<IScorer> LoadAsync()
        {
            // LibTorch is started for either backend: an id-input ONNX model encodes with the pipeline's tensors.
            var device = Session.StartRuntime();
            if (Backend == PredictBackend.Onnx)
            {
                return PredictBackend.OpenOnnx(ModelPath, BatchSize, Session.Threads);
            }

            return PredictBackend.Wrap(await Predictor.LoadAsync(ModelPath, device, new PredictorOptions { BatchSize = BatchSize }, CancellationToken));
        }
    }

    private sealed record Scored(long Rows, IReadOnlyDictionary<string, double> MeanProbability);

    /// <summary>The --json document of <c>stem predict</c> with one output file.</summary>
    internal sealed record PredictResult(string Command, string Model, string Input, string Output, long Rows, IReadOnlyList<string> Tasks, IReadOnlyList<string> Columns, IReadOnlyDictionary<string, double> MeanProbability);

    /// <summary>The --json document of <c>stem predict</c> into an output directory.</summary>
    internal sealed record PredictDirectoryResult(string Command, string Model, string Shard, int InputFiles, string Output, string Format, long Rows, IReadOnlyList<string> Tasks, IReadOnlyList<string> Columns, IReadOnlyList<ScoredFile> Files);

    /// <summary>One input file scored into its output.</summary>
    internal sealed record ScoredFile(int Index, string Input, string Output, long Rows, IReadOnlyDictionary<string, double> MeanProbability);
}
