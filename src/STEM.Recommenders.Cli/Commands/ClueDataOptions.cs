using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Cli.Commands;

/// <summary>
/// The event log of <c>stem pretrain</c>, <c>embed</c> and <c>scale</c>: the KuaiRand log joined
/// with its video features and cut to the given days, or a generated synthetic log.
/// </summary>
internal sealed class ClueDataOptions
{
    public const string KuaiRand = "kuairand";
    public const string Synthetic = "synthetic";

    public Option<string> Source { get; } = new("--source")
    {
        Description = "Event log: kuairand (the --log file, joined with --videos) or synthetic (generated users with two services). Default kuairand.",
        HelpName = "kuairand|synthetic",
        DefaultValueFactory = _ => KuaiRand,
        CustomParser = r =>
        {
            var value = r.Tokens.Count == 0 ? KuaiRand : r.Tokens[^1].Value;
            if (value is not (KuaiRand or Synthetic))
            {
                r.AddError($"--source: '{value}' is not kuairand or synthetic");
            }

            return value;
        },
    };

    public Option<string?> Log { get; } = new("--log") { Description = "kuairand: the interaction log (CSV/TSV, .gz, or Parquet).", HelpName = "FILE" };

    public Option<string?> Videos { get; } = new("--videos") { Description = "kuairand: video features, joined on video_id (their fields become item tokens).", HelpName = "FILE" };

    public Option<int[]?> Days { get; } = OptionParsers.Days("--days", "kuairand: keep the events of these days only (use the downstream training days, so that no vector sees a validation or test day). Default all.");

    public Option<int?> Users { get; } = OptionParsers.Int("--synthetic-users", "synthetic: users generated (default 10000).", 10);

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Source, Log, Videos, Days, Users })
        {
            command.Options.Add(option);
        }
    }

    /// <summary>The events and the sequence options that tokenise them.</summary>
    public async Task<(DataTable Events, SequenceOptions Sequences, string Description)> LoadAsync(ParseResult parse, Session session, CancellationToken cancellationToken)
    {
        if (parse.GetValue(Source) == Synthetic)
        {
            var options = new SyntheticUserLogOptions { Users = parse.GetValue(Users) ?? 10_000, Seed = (int)(session.Seed ?? 2023) };
            options.Validate();
            return (SyntheticUserLogGenerator.Generate(options), SyntheticUserLogGenerator.DefaultSequenceOptions, $"synthetic log ({options.Users:N0} users)");
        }

        var log = parse.GetValue(Log) ?? throw new CliUsageException(Log.Name, "give the KuaiRand interaction log (--log FILE), or --source synthetic");
        var videos = parse.GetValue(Videos);

        var days = parse.GetValue(Days);
        var events = await ClueData.LoadKuaiRandAsync(log, videos, days, DataFiles.Readers(), cancellationToken);
        var sequences = videos is null ? SequenceOptions.KuaiRandLogOnly : SequenceOptions.KuaiRand;
        return (events, sequences, $"{log}{(days is null ? string.Empty : $" (days {string.Join(",", days)})")}, {events.RowCount:N0} events");
    }
}
