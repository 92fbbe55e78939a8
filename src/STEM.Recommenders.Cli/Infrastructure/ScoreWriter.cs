using System.Globalization;
using System.IO.Compression;
using System.Text;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Writes scored rows as delimited text: RFC 4180 CSV (quoted where needed), or TSV when the name
/// ends in .tsv; gzip when it ends in .gz. Numbers are written in invariant culture, shortest
/// round-trip form, so that the file reads back identically anywhere.
/// </summary>
internal static class ScoreWriter
{
    public static async Task WriteAsync(string? path, TextWriter stdout, IReadOnlyList<DataColumn> kept, IReadOnlyList<string> scoreColumns, float[] probabilities, int rows, CancellationToken cancellationToken)
    {
        if (path is null)
        {
            await WriteAsync(stdout, ',', kept, scoreColumns, probabilities, rows, cancellationToken);
            await stdout.FlushAsync(cancellationToken);
            return;
        }

        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        var gzip = IsGzip(path);
        var delimiter = DelimiterOf(path);
        await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        Stream stream = gzip ? new GZipStream(file, CompressionLevel.Optimal) : file;
        await using (stream.ConfigureAwait(false))
        {
            await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16);
            await WriteAsync(writer, delimiter, kept, scoreColumns, probabilities, rows, cancellationToken);
        }
    }

    private static async Task WriteAsync(TextWriter writer, char delimiter, IReadOnlyList<DataColumn> kept, IReadOnlyList<string> scoreColumns, float[] probabilities, int rows, CancellationToken cancellationToken)
    {
        await WriteHeaderAsync(writer, delimiter, kept.Select(c => c.Name).ToArray(), scoreColumns, cancellationToken);
        await WriteRowsAsync(writer, delimiter, kept, scoreColumns.Count, probabilities, rows, cancellationToken);
    }

    /// <summary>The header line: the kept columns' names, then the score columns'.</summary>
    public static async Task WriteHeaderAsync(TextWriter writer, char delimiter, IReadOnlyList<string> kept, IReadOnlyList<string> scoreColumns, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        line.AppendJoin(delimiter, kept.Select(c => Field(c, delimiter)).Concat(scoreColumns.Select(c => Field(c, delimiter))));
        await writer.WriteLineAsync(line, cancellationToken);
    }

    /// <summary>One line per row: the kept values, then the row's <paramref name="tasks"/> scores of the row-major block.</summary>
    public static async Task WriteRowsAsync(TextWriter writer, char delimiter, IReadOnlyList<DataColumn> kept, int tasks, float[] probabilities, int rows, CancellationToken cancellationToken)
    {
        var line = new StringBuilder();
        for (var r = 0; r < rows; r++)
        {
            line.Clear();
            for (var c = 0; c < kept.Count; c++)
            {
                line.Append(Field(kept[c][r], delimiter)).Append(delimiter);
            }

            for (var k = 0; k < tasks; k++)
            {
                line.Append(probabilities[(r * tasks) + k].ToString(CultureInfo.InvariantCulture));
                if (k < tasks - 1)
                {
                    line.Append(delimiter);
                }
            }

            await writer.WriteLineAsync(line, cancellationToken);
        }
    }

    /// <summary>Whether the name asks for gzip (.gz).</summary>
    public static bool IsGzip(string path) => path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);

    /// <summary>Tab for .tsv (optionally .gz), comma for anything else.</summary>
    public static char DelimiterOf(string path) =>
        (IsGzip(path) ? path[..^3] : path).EndsWith(".tsv", StringComparison.OrdinalIgnoreCase) ? '\t' : ',';

    private static string Field(string? value, char delimiter)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        if (delimiter == '\t')
        {
            // TSV has no quoting (the reader's TSV mode has none either): keep each record on one line.
            return value.IndexOfAny(['\t', '\r', '\n']) < 0 ? value : value.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
        }

        return value.IndexOfAny([delimiter, '"', '\r', '\n']) < 0 ? value : $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";
    }
}
