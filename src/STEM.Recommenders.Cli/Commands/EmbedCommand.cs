using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Cli.Commands;

/// <summary><c>stem embed</c>: one CLUE vector per user of a log, from a pretrained encoder artifact.</summary>
internal static class EmbedCommand
{
    public static Command Create(StemApp app)
    {
        var data = new ClueDataOptions();
        var encoder = new Option<string>("--encoder", "-e") { Description = "The encoder artifact directory written by stem pretrain (…/encoder).", HelpName = "DIR", Required = true };
        var output = new Option<string>("--output", "-o") { Description = "Where the vectors go: Parquet (.parquet: a string user key and float32 components) or CSV (.csv, .tsv, .gz), with user_id, clue_0, clue_1, …", HelpName = "FILE", Required = true };
        var prefix = new Option<string>("--prefix") { Description = "Component column prefix. Default clue_.", HelpName = "TEXT", DefaultValueFactory = _ => "clue_" };
        var command = new Command("embed", "CLUE: compute one frozen user vector per user from the log's events (use the training days only), for --user-vectors of stem train.");
        data.AddTo(command);
        command.Options.Add(encoder);
        command.Options.Add(output);
        command.Options.Add(prefix);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            session.StartRuntime();
            using var artifact = await ClueEncoderArtifact.LoadAsync(parse.GetValue(encoder)!, cancellationToken);
            var (events, _, description) = await data.LoadAsync(parse, session, cancellationToken);
            var log = UserEventLog.FromTable(events, artifact.Metadata.Sequences!);
            using var users = log.EncodeAll(artifact.Vocabulary);
            var vectors = artifact.Embed(users);
            var path = parse.GetValue(output)!;
            var userColumn = artifact.Metadata.Sequences!.UserColumn;
            var columns = vectors.ColumnNames(parse.GetValue(prefix)!);
            if (ParquetVectorWriter.IsParquet(path))
            {
                await ParquetVectorWriter.WriteAsync(path, userColumn, vectors.Keys, columns, vectors.Values, cancellationToken);
            }
            else
            {
                var key = new DataColumn[] { DataTable.FromColumns("vectors", [new(userColumn, vectors.Keys.ToArray())]).Columns[0] };
                await ScoreWriter.WriteAsync(path, session.Stdout, key, columns, vectors.Values, vectors.Count, cancellationToken);
            }
            if (session.ShowResults)
            {
                session.Result($"{vectors.Count:N0} user vectors of width {vectors.Dimension} from {description} → {path}");
            }

            await session.WriteJsonAsync(new EmbedResult("embed", path, vectors.Count, vectors.Dimension), cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>The --json document of <c>stem embed</c>.</summary>
    internal sealed record EmbedResult(string Command, string Output, int Users, int Dimension);
}
