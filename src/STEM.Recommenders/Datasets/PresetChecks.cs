using System.Text.Json;

namespace STEM.Recommenders.Datasets;

/// <summary>Checks that several presets share, with the messages the command line and experiment files have always shown.</summary>
internal static class PresetChecks
{
    /// <summary>The preset reads its data from the train file, so it must be given.</summary>
    public static void RequireTrain(string preset, DataConfig data)
    {
        if (string.IsNullOrWhiteSpace(data.Train))
        {
            // Named as in the data section ("train"), for $.data.train and --train.
            throw new ArgumentException($"the {preset} preset needs a training file", JsonNamingPolicy.CamelCase.ConvertName(nameof(DataConfig.Train)));
        }
    }

    /// <summary>
    /// Refuses a data-section entry that <paramref name="reader"/> would not read (a KuaiRand day
    /// list on census-income, a synthetic row count on a custom schema), rather than ignore it silently.
    /// </summary>
    /// <param name="reader">How the reader is named in the message ("the census-income preset").</param>
    /// <param name="data">The data section.</param>
    /// <param name="read">The entries (as named in the data section) the reader reads.</param>
    public static void RejectUnread(string reader, DataConfig data, params string[] read)
    {
        foreach (var (entry, given) in Entries(data))
        {
            if (given && !read.Contains(entry, StringComparer.Ordinal))
            {
                var readList = read.Length == 0 ? "none of these entries" : string.Join(", ", read);
                throw new ArgumentException($"{reader} does not read '{entry}' (it reads {readList})", entry);
            }
        }
    }

    // Every reader-specific entry of the data section, as named there; preset, resident, cache and
    // cacheChunkRows apply to every reader.
    private static IEnumerable<(string Entry, bool Given)> Entries(DataConfig data) =>
    [
        ("train", data.Train is not null),
        ("validation", data.Validation is not null),
        ("test", data.Test is not null),
        ("users", data.Users is not null),
        ("videos", data.Videos is not null),
        ("userVectors", data.UserVectors is not null),
        ("trainDays", data.TrainDays is not null),
        ("validationDays", data.ValidationDays is not null),
        ("testDays", data.TestDays is not null),
        ("tasks", data.Tasks is not null),
        ("minCount", data.MinCount is not null),
        ("taskSpecificEmbeddings", data.TaskSpecificEmbeddings is not null),
        ("taskSpecificFields", data.TaskSpecificFields is not null),
        ("tagAsOneToken", data.TagAsOneToken is not null),
        ("rows", data.Rows is not null),
        ("correlation", data.Correlation is not null),
        ("schema", data.Schema is not null),
        ("joins", data.Joins is not null),
    ];
}
