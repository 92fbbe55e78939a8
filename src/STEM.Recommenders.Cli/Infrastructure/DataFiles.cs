using System.CommandLine;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>A side table to left-join: FILE:KEY, or FILE:KEY=SIDE_KEY when the side table names its key column differently.</summary>
/// <param name="Path">The side table's file.</param>
/// <param name="Key">The key column in the main table.</param>
/// <param name="SideKey">The key column in the side table, when it differs.</param>
internal sealed record JoinSpec(string Path, string Key, string? SideKey)
{
    public const string OptionName = "--join";

    public static Option<JoinSpec[]> CreateOption() => new(OptionName)
    {
        Description = "Left-join a side table onto every row by key, e.g. users.csv.gz:user_id (FILE:KEY, or FILE:KEY=SIDE_KEY). Repeat for several tables; they are joined in order.",
        HelpName = "FILE:KEY[=SIDE_KEY]",
        Arity = ArgumentArity.ZeroOrMore,
        AllowMultipleArgumentsPerToken = true,
        DefaultValueFactory = _ => [],
        CustomParser = r =>
        {
            var joins = new List<JoinSpec>();
            foreach (var token in r.Tokens)
            {
                if (Parse(token.Value) is { } join)
                {
                    joins.Add(join);
                }
                else
                {
                    r.AddError($"{OptionName}: '{token.Value}' is not FILE:KEY or FILE:KEY=SIDE_KEY (e.g. users.csv.gz:user_id)");
                    return [];
                }
            }

            return joins.ToArray();
        },
    };

    public static JoinSpec? Parse(string text)
    {
        // The last colon separates the key, so a Windows drive letter stays part of the path.
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || colon == text.Length - 1)
        {
            return null;
        }

        var path = text[..colon].Trim();
        var keys = text[(colon + 1)..].Split('=', StringSplitOptions.TrimEntries);
        if (path.Length == 0 || keys.Length > 2 || keys.Any(k => k.Length == 0))
        {
            return null;
        }

        return new JoinSpec(path, keys[0], keys.Length == 2 ? keys[1] : null);
    }
}

/// <summary>Reads data files (CSV, TSV, optionally gzipped, and Parquet) and joins side tables onto them.</summary>
internal static class DataFiles
{
    public static TableReaderRegistry Readers() => TableReaderRegistry.CreateDefault().AddParquet();

    public static async Task<IReadOnlyList<(JoinSpec Spec, DataTable Table)>> ReadSideTablesAsync(TableReaderRegistry readers, IReadOnlyList<JoinSpec> joins, CancellationToken cancellationToken)
    {
        var sides = new List<(JoinSpec, DataTable)>();
        foreach (var join in joins)
        {
            sides.Add((join, await readers.ReadAsync(join.Path, null, cancellationToken)));
        }

        return sides;
    }

    /// <summary>
    /// Reads the side tables and indexes each by its key once, so that joining them onto every chunk of
    /// a streamed file costs the chunk's rows, not the side table's. The errors (a missing key column,
    /// a duplicate key, a clashing column) are those of a whole-file join.
    /// </summary>
    public static async Task<IReadOnlyList<SideTable>> ReadSideTablesIndexedAsync(TableReaderRegistry readers, IReadOnlyList<JoinSpec> joins, CancellationToken cancellationToken) =>
        (await ReadSideTablesAsync(readers, joins, cancellationToken)).Select(s => new SideTable(s.Spec, s.Table.IndexBy(s.Spec.SideKey ?? s.Spec.Key))).ToArray();

    public static DataTable Join(DataTable table, IReadOnlyList<SideTable> sides)
    {
        foreach (var side in sides)
        {
            table = table.LeftJoin(side.Index, side.Spec.Key);
        }

        return table;
    }
}

/// <summary>A side table indexed by its key, with the join that names it.</summary>
internal sealed record SideTable(JoinSpec Spec, TableIndex Index);
