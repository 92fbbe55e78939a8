using Microsoft.Extensions.FileSystemGlobbing;

namespace STEM.Recommenders.Data;

/// <summary>Turns a source (a file, a directory or a glob) into the sorted list of files it names.</summary>
/// <remarks>
/// Globs are matched by Microsoft.Extensions.FileSystemGlobbing (the matcher of MSBuild and ASP.NET
/// static files), so <c>**</c>, <c>*</c> and <c>?</c> mean what .NET developers already know.
/// </remarks>
internal static class TableSources
{
    private static readonly char[] Wildcards = ['*', '?'];

    public static IReadOnlyList<string> Expand(string source, Func<string, bool> readable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        if (File.Exists(source))
        {
            return [source];
        }

        if (Directory.Exists(source))
        {
            var files = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
                .Where(f => readable(f) && !IsHidden(Path.GetRelativePath(source, f)))
                .Order(StringComparer.Ordinal)
                .ToArray();
            return files.Length > 0 ? files : throw new DataFormatException(source, "the directory holds no file that a registered reader can read (.csv, .tsv, .gz, .parquet)");
        }

        if (source.IndexOfAny(Wildcards) < 0)
        {
            throw new DataFormatException(source, "file not found");
        }

        // The base directory is the part of the path before the first segment with a wildcard.
        var full = Path.GetFullPath(source);
        var segments = full.Split(Path.DirectorySeparatorChar);
        var first = Array.FindIndex(segments, s => s.IndexOfAny(Wildcards) >= 0);
        var root = string.Join(Path.DirectorySeparatorChar, segments[..first]);
        root = root.Length == 0 ? Path.DirectorySeparatorChar.ToString() : root;
        var pattern = string.Join('/', segments[first..]);
        if (!Directory.Exists(root))
        {
            throw new DataFormatException(source, $"no file matches (the directory '{root}' does not exist)");
        }

        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(pattern);
        var matched = matcher.GetResultsInFullPath(root)
            .Where(f => readable(f) && !IsHidden(Path.GetRelativePath(root, f)))
            .Order(StringComparer.Ordinal)
            .ToArray();
        return matched.Length > 0 ? matched : throw new DataFormatException(source, "no file matches");
    }

    // Spark and Hadoop write _SUCCESS and .crc files next to the data; they are not data.
    private static bool IsHidden(string relative) =>
        relative.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.') || part.StartsWith('_'));
}
