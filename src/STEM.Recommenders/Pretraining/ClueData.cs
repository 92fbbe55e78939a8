using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>Reads event logs for CLUE and prepares them: KuaiRand's log joined with its video features, or any table.</summary>
public static class ClueData
{
    /// <summary>The log columns CLUE reads from KuaiRand besides the video features.</summary>
    public static IReadOnlyList<string> KuaiRandLogColumns { get; } = ["user_id", "video_id", "time_ms", "date", "tab", "is_click", "long_view", "is_like"];

    /// <summary>
    /// Reads the KuaiRand log, joins the video features (when given) and keeps the events of
    /// <paramref name="days"/> only (all days when <see langword="null"/>). Pretrain and embed on
    /// the training days of the downstream split, so that no vector sees a validation or test day.
    /// </summary>
    /// <exception cref="DataFormatException">A file or column is missing, or a value is malformed; the message names file, line and column.</exception>
    public static async Task<DataTable> LoadKuaiRandAsync(string logPath, string? videoFeaturesPath, IReadOnlyCollection<int>? days = null, TableReaderRegistry? readers = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(logPath);
        readers ??= TableReaderRegistry.CreateDefault();
        var logTask = readers.ReadAsync(logPath, new TableReadRequest(KuaiRandLogColumns), cancellationToken);
        var videosTask = videoFeaturesPath is null ? null : readers.ReadAsync(videoFeaturesPath, new TableReadRequest(["video_id", .. SequenceOptions.KuaiRandVideoColumns]), cancellationToken);
        var log = await logTask.ConfigureAwait(false);
        log = videosTask is null ? log.WithMissingColumns(SequenceOptions.KuaiRandVideoColumns) : log.LeftJoin(await videosTask.ConfigureAwait(false), "video_id");
        if (days is null)
        {
            return log;
        }

        var keep = days.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        var date = log.Column("date");
        var filtered = log.Where(r => date[r] is { } d && keep.Contains(d));
        if (filtered.RowCount == 0)
        {
            throw new DataFormatException(new SourceLocation(log.Source, null, "date"), $"no event falls on the days {string.Join(", ", days)}");
        }

        return filtered;
    }

    /// <summary>
    /// Groups and tokenises the events, splits the users by a stable hash of their key, fits the
    /// vocabulary on the training users and builds the two-view pairs of each split.
    /// </summary>
    /// <exception cref="DataFormatException">A column is missing, a value is malformed, or a split is left without users.</exception>
    public static ClueDataSplits Prepare(DataTable events, SequenceOptions sequences, UserSplitOptions? split = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(sequences);
        sequences.Validate();
        var log = UserEventLog.FromTable(events, sequences);
        var users = UserSplit.Create(log.Users, split);
        var vocabulary = TokenVocabulary.Fit(log, users.Train, sequences.MinTokenCount);
        UserPairSet? train = null, validation = null;
        try
        {
            train = log.EncodePairs(vocabulary, users.Train);
            validation = log.EncodePairs(vocabulary, users.Validation);
            var test = log.EncodePairs(vocabulary, users.Test);
            return new ClueDataSplits(log, users, vocabulary, train, validation, test);
        }
        catch
        {
            train?.Dispose();
            validation?.Dispose();
            throw;
        }
    }
}
