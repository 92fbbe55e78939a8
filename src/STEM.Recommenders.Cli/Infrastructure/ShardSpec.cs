using System.CommandLine;
using System.Globalization;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Worker <see cref="Index"/> of <see cref="Count"/>: it takes the input files whose position in the
/// sorted input list is ≡ Index (mod Count), so that Count workers given the same inputs split them
/// with no coordination, and every file is taken by exactly one of them.
/// </summary>
internal readonly record struct ShardSpec(int Index, int Count)
{
    public const string OptionName = "--shard";

    public static ShardSpec All => new(0, 1);

    public static Option<ShardSpec?> CreateOption(string what) => new(OptionName)
    {
        Description = $"Worker i of n (0-based, e.g. 3/8 or $JOB_COMPLETION_INDEX/8): {what} only the input files whose index in the sorted input list is i mod n.",
        HelpName = "i/n",
        CustomParser = r =>
        {
            var token = r.Tokens.Count == 0 ? string.Empty : r.Tokens[^1].Value;
            if (Parse(token) is { } shard)
            {
                return shard;
            }

            r.AddError($"{OptionName}: '{token}' is not i/n with 0 <= i < n (worker i of n, e.g. 0/4 for the first of 4 workers)");
            return null;
        },
    };

    public static ShardSpec? Parse(string text)
    {
        var parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var index)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var count)
            && count >= 1 && index < count
                ? new ShardSpec(index, count)
                : null;
    }

    public bool Takes(int fileIndex) => fileIndex % Count == Index;

    public IReadOnlyList<T> Select<T>(IReadOnlyList<T> files)
    {
        var shard = this;
        return files.Where((_, i) => shard.Takes(i)).ToArray();
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Index}/{Count}");
}
