using Microsoft.Extensions.FileSystemGlobbing;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>One input file of a run, with its place in the run's input list.</summary>
/// <param name="Index">Its position in the input list (what <c>--shard</c> takes modulo n).</param>
/// <param name="Path">The file, as the source named it (error messages and reports show this).</param>
/// <param name="Relative">Its path under its source's root: the name of its output, so that partitions keep their layout.</param>
internal sealed record InputFile(int Index, string Path, string Relative);

/// <summary>
/// Turns the sources of a run (files, directories, globs) into the input list that every worker of a
/// sharded run computes alike: each source's files sorted by path (ordinal), sources in the order given.
/// </summary>
internal static class InputFiles
{
    private static readonly char[] Wildcards = ['*', '?'];

    /// <summary>Whether a source names a set of files (a directory or a glob) rather than one file.</summary>
    public static bool IsSet(string source) =>
        Directory.Exists(source) || (!File.Exists(source) && source.IndexOfAny(Wildcards) >= 0);

    /// <exception cref="DataFormatException">A source matches nothing, or a file does not exist.</exception>
    public static IReadOnlyList<InputFile> Expand(TableReaderRegistry readers, IReadOnlyList<string> sources)
    {
        var files = new List<InputFile>();
        foreach (var source in sources)
        {
            var root = Root(source);
            foreach (var file in readers.ExpandSources(source))
            {
                files.Add(new InputFile(files.Count, file, Path.GetRelativePath(root, Path.GetFullPath(file))));
            }
        }

        return files;
    }

    /// <summary>The directories that sources read recursively (directories, and the base of globs).</summary>
    public static IEnumerable<string> SetRoots(IEnumerable<string> sources) => sources.Where(IsSet).Select(Root);

    /// <summary>
    /// The state files that sources name: a file is itself, a directory every <c>.json</c> or
    /// <c>.json.gz</c> file under it (skipping <c>_</c>/<c>.</c> names, as data directories do), a glob
    /// what it matches; sorted by path.
    /// </summary>
    /// <exception cref="DataFormatException">A source matches nothing.</exception>
    public static IReadOnlyList<string> ExpandStates(IReadOnlyList<string> sources)
    {
        var files = new List<string>();
        foreach (var source in sources)
        {
            if (File.Exists(source))
            {
                files.Add(source);
                continue;
            }

            string[] found;
            if (Directory.Exists(source))
            {
                found = Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories)
                    .Where(f => IsStateName(f) && !IsHidden(Path.GetRelativePath(source, f)))
                    .Order(StringComparer.Ordinal)
                    .ToArray();
                files.AddRange(found.Length > 0 ? found : throw new DataFormatException(source, "the directory holds no evaluation state (.json or .json.gz)"));
                continue;
            }

            if (source.IndexOfAny(Wildcards) < 0)
            {
                throw new DataFormatException(source, "file not found");
            }

            var root = Root(source);
            var pattern = Path.GetRelativePath(root, Path.GetFullPath(source)).Replace(Path.DirectorySeparatorChar, '/');
            var matcher = new Matcher(StringComparison.Ordinal);
            matcher.AddInclude(pattern);
            found = Directory.Exists(root) ? matcher.GetResultsInFullPath(root).Order(StringComparer.Ordinal).ToArray() : [];
            files.AddRange(found.Length > 0 ? found : throw new DataFormatException(source, "no file matches"));
        }

        return files;
    }

    /// <summary>
    /// What output names are relative to: a directory source itself, the part of a glob before its
    /// first wildcard segment, a file's own directory.
    /// </summary>
    public static string Root(string source)
    {
        var full = Path.GetFullPath(source);
        if (Directory.Exists(source))
        {
            return full;
        }

        if (File.Exists(source) || source.IndexOfAny(Wildcards) < 0)
        {
            return Path.GetDirectoryName(full) ?? full;
        }

        var segments = full.Split(Path.DirectorySeparatorChar);
        var first = Array.FindIndex(segments, s => s.IndexOfAny(Wildcards) >= 0);
        var root = string.Join(Path.DirectorySeparatorChar, segments[..first]);
        return root.Length == 0 ? Path.DirectorySeparatorChar.ToString() : root;
    }

    /// <summary>Whether <paramref name="path"/> is <paramref name="directory"/> or lies under it.</summary>
    public static bool IsWithin(string path, string directory)
    {
        var p = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var d = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        var prefix = d.EndsWith(Path.DirectorySeparatorChar) ? d : d + Path.DirectorySeparatorChar;
        return p == d || p.StartsWith(prefix, StringComparison.Ordinal);
    }

    private static bool IsStateName(string path) =>
        path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".json.gz", StringComparison.OrdinalIgnoreCase);

    private static bool IsHidden(string relative) =>
        relative.Split(Path.DirectorySeparatorChar).Any(part => part.StartsWith('.') || part.StartsWith('_'));
}
