using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Data;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Cli.Commands;

/// <summary><c>stem predict</c>: scores raw rows with a trained artifact and writes one probability column per task.</summary>
internal static class PredictCommand
{
    public const string ProbabilityPrefix = "p_";

    public static Command Create(StemApp app)
    {
        var model = EvaluateCommand.ModelOption();
        var input = new Option<string>("--input", "-i")
        {
            Description = "Rows to score: CSV or TSV (optionally .gz) or Parquet. Label columns are not needed.",
            HelpName = "FILE",
            Required = true,
        };
        var output = new Option<string>("--output", "-o")
        {
            Description = "Where to write the scores: a .csv or .tsv file (.gz compresses), or - for stdout.",
            HelpName = "FILE",
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
        var batchSize = OptionParsers.Int("--batch-size", "Rows per inference batch.", 1, new PredictorOptions().BatchSize);
        var command = new Command("predict", $"Score rows with a trained model; writes the kept input columns and one probability column per task ({ProbabilityPrefix}TASK).");
        command.Options.Add(model);
        command.Options.Add(input);
        command.Options.Add(output);
        command.Options.Add(keep);
        command.Options.Add(joins);
        command.Options.Add(batchSize);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var outputPath = parse.GetRequiredValue(output);
            var toStdout = outputPath == "-";
            if (toStdout && session.JsonToStdout)
            {
                throw new CliUsageException("--json", "stdout already carries the scores (--output -); give the JSON a file: --json PATH");
            }

            var modelPath = parse.GetRequiredValue(model);
            var inputPath = parse.GetRequiredValue(input);
            var device = session.StartRuntime();
            using var predictor = await Predictor.LoadAsync(modelPath, device, new PredictorOptions { BatchSize = parse.GetValue(batchSize) }, cancellationToken);
            var readers = DataFiles.Readers();
            var table = await readers.ReadAsync(inputPath, null, cancellationToken);
            var sides = await DataFiles.ReadSideTablesAsync(readers, parse.GetValue(joins) ?? [], cancellationToken);
            var probabilities = predictor.PredictTable(DataFiles.Join(table, sides));

            var kept = (parse.Given(keep) ?? table.ColumnNames.ToArray()).Select(table.Column).ToArray();
            var tasks = predictor.TaskNames;
            var scoreColumns = tasks.Select(t => ProbabilityPrefix + t).ToArray();
            if (kept.FirstOrDefault(c => scoreColumns.Contains(c.Name, StringComparer.Ordinal)) is { } clash)
            {
                throw new CliUsageException("--keep", $"input column '{clash.Name}' has the name of a probability column; leave it out with --keep");
            }

            await ScoreWriter.WriteAsync(toStdout ? null : outputPath, session.Stdout, kept, scoreColumns, probabilities, table.RowCount, cancellationToken);
            var means = tasks.Select((t, k) => new KeyValuePair<string, double>(t, Mean(probabilities, tasks.Count, k, table.RowCount))).ToDictionary();
            session.Info($"Scored {table.RowCount:N0} rows of {inputPath} with {predictor.Artifact.Metadata.ModelName}; wrote {(toStdout ? "stdout" : outputPath)}");
            await session.WriteJsonAsync(new PredictResult("predict", modelPath, inputPath, toStdout ? "-" : outputPath, table.RowCount, tasks, scoreColumns, means), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    private static double Mean(float[] probabilities, int tasks, int task, int rows)
    {
        if (rows == 0)
        {
            return double.NaN;
        }

        var sum = 0.0;
        for (var r = 0; r < rows; r++)
        {
            sum += probabilities[(r * tasks) + task];
        }

        return sum / rows;
    }

    /// <summary>The --json document of <c>stem predict</c>.</summary>
    internal sealed record PredictResult(string Command, string Model, string Input, string Output, int Rows, IReadOnlyList<string> Tasks, IReadOnlyList<string> Columns, IReadOnlyDictionary<string, double> MeanProbability);
}
