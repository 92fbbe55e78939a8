namespace STEM.Recommenders.Data;

/// <summary>How to read a delimited text file (CSV, TSV or a custom separator).</summary>
public sealed record CsvReadOptions
{
    /// <summary>Field separator. Default ','.</summary>
    public char Delimiter { get; init; } = ',';

    /// <summary>Quote character, or <see langword="null"/> to disable quoting (plain TSV). Default '"'.</summary>
    public char? Quote { get; init; } = '"';

    /// <summary>Whether the first record is a header with the column names. Default true.</summary>
    public bool HasHeader { get; init; } = true;

    /// <summary>Column names for a file without a header. Required when <see cref="HasHeader"/> is false.</summary>
    public IReadOnlyList<string>? ColumnNames { get; init; }

    /// <summary>Trim spaces around unquoted fields (census-income separates fields with ", "). Default false.</summary>
    public bool TrimWhitespace { get; init; }

    /// <summary>
    /// Keep only these columns (all others are parsed for structure but not stored), which saves
    /// memory and time on wide files. <see langword="null"/> keeps every column. A name that the
    /// file lacks raises a <see cref="DataFormatException"/>.
    /// </summary>
    public IReadOnlyCollection<string>? Columns { get; init; }

    /// <summary>Options for a comma-separated file with a header.</summary>
    public static CsvReadOptions Csv { get; } = new();

    /// <summary>Options for a tab-separated file with a header and no quoting.</summary>
    public static CsvReadOptions Tsv { get; } = new() { Delimiter = '\t', Quote = null };
}
