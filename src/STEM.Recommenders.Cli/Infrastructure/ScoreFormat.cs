namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>The file format of scored rows: Parquet (float32 scores) or delimited text, optionally gzipped.</summary>
/// <param name="Name">The name <c>--format</c> takes, which is also the extension without the dot.</param>
internal sealed record ScoreFormat(string Name)
{
    public const string OptionName = "--format";

    public static readonly ScoreFormat Parquet = new("parquet");
    public static readonly ScoreFormat Csv = new("csv");
    public static readonly ScoreFormat Tsv = new("tsv");
    public static readonly ScoreFormat CsvGzip = new("csv.gz");
    public static readonly ScoreFormat TsvGzip = new("tsv.gz");

    public static IReadOnlyList<ScoreFormat> All { get; } = [Parquet, Csv, Tsv, CsvGzip, TsvGzip];

    // Longest first, so that "x.csv.gz" loses ".csv.gz" and not only ".gz".
    private static readonly string[] InputExtensions = [".csv.gz", ".tsv.gz", ".parquet", ".csv", ".tsv", ".gz"];

    public string Extension => "." + Name;

    public bool IsParquet => ReferenceEquals(this, Parquet);

    public bool IsGzip => Name.EndsWith(".gz", StringComparison.Ordinal);

    public char Delimiter => Name.StartsWith("tsv", StringComparison.Ordinal) ? '\t' : ',';

    /// <summary>The format a file name asks for, as a single --output has always chosen it: .parquet, .tsv, otherwise CSV; .gz compresses text.</summary>
    public static ScoreFormat FromPath(string path)
    {
        if (ParquetVectorWriter.IsParquet(path))
        {
            return Parquet;
        }

        var tsv = ScoreWriter.DelimiterOf(path) == '\t';
        return ScoreWriter.IsGzip(path) ? (tsv ? TsvGzip : CsvGzip) : (tsv ? Tsv : Csv);
    }

    public static ScoreFormat? Parse(string text) =>
        All.FirstOrDefault(f => string.Equals(f.Name, text.Trim().TrimStart('.'), StringComparison.OrdinalIgnoreCase));

    /// <summary>The output name of an input file: its data extension replaced by this format's.</summary>
    public string OutputName(string relativeInput)
    {
        foreach (var extension in InputExtensions)
        {
            if (relativeInput.EndsWith(extension, StringComparison.OrdinalIgnoreCase) && relativeInput.Length > extension.Length)
            {
                return relativeInput[..^extension.Length] + Extension;
            }
        }

        return relativeInput + Extension;
    }

    public override string ToString() => Name;
}
