namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Checks, before any work starts, that a command can write where it was told to: a run of hours
/// must not end with "permission denied", nor silently replace the artifact of an earlier run.
/// A check leaves nothing behind: directories it had to create to probe are removed again, so that
/// a run refused later (an invalid monitor, say) has still written nothing.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Fails naming <paramref name="option"/> unless files can be created in <paramref name="directory"/>.</summary>
    public static void CheckWritableDirectory(string option, string directory)
    {
        if (File.Exists(Path.GetFullPath(directory)))
        {
            throw new CliUsageException(option, $"'{directory}' is a file, not a directory");
        }

        Probe(option, Path.GetFullPath(directory), directory);
    }

    /// <summary>Fails naming <paramref name="option"/> unless <paramref name="file"/> can be written (created or replaced).</summary>
    public static void CheckWritableFile(string option, string file)
    {
        var full = Path.GetFullPath(file);
        if (Directory.Exists(full))
        {
            throw new CliUsageException(option, $"'{file}' is a directory; give a file path");
        }

        Probe(option, Path.GetDirectoryName(full)!, file);
        if (File.Exists(full))
        {
            try
            {
                // Opened for writing, not truncated: the file is replaced only when the result is written.
                using var _ = new FileStream(full, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new CliUsageException(option, $"'{file}' is not writable ({ErrorReport.OneLine(e.Message)})");
            }
        }
    }

    /// <summary>The outputs of an earlier run in <paramref name="directory"/> among <paramref name="names"/> (files or directories).</summary>
    public static string[] Existing(string directory, IEnumerable<string> names) =>
        names.Select(n => Path.Combine(directory, n)).Where(p => File.Exists(p) || Directory.Exists(p)).ToArray();

    // Creates full (and its missing parents), writes and deletes a file in it, then removes what it created.
    private static void Probe(string option, string full, string shownAs)
    {
        var created = new List<string>();
        for (var d = full; !Directory.Exists(d); d = Path.GetDirectoryName(d)!)
        {
            if (File.Exists(d))
            {
                throw new CliUsageException(option, $"'{shownAs}' cannot be created: '{d}' is a file");
            }

            created.Add(d);
        }

        try
        {
            Directory.CreateDirectory(full);
            var probe = Path.Combine(full, $".stem-write-probe-{Guid.NewGuid():N}");
            using (File.Create(probe, 1, FileOptions.DeleteOnClose))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException(option, $"'{shownAs}' is not writable ({ErrorReport.OneLine(e.Message)})");
        }
        finally
        {
            // Deepest first: each was empty before the probe.
            foreach (var d in created)
            {
                try
                {
                    Directory.Delete(d);
                }
                catch (IOException)
                {
                    // Another process wrote into it meanwhile: then it is theirs to keep.
                }
            }
        }
    }
}
