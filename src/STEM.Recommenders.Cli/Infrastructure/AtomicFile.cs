namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Writes a file under a temporary name in its own directory and renames it when complete, so that
/// the final name only ever holds a whole file: a killed process leaves at most a hidden temporary
/// file (which readers skip, as they skip Spark's <c>_SUCCESS</c>), and a failure removes it.
/// </summary>
internal static class AtomicFile
{
    private const string TemporarySuffix = ".tmp";

    // A seam for tests that fill the disk part-way through an output: it wraps the temporary file's
    // stream. Async-local, so that it reaches only the in-process run that set it.
    private static readonly AsyncLocal<Func<string, Stream, Stream>?> Interceptor = new();

    /// <summary>Wraps every temporary file's stream that this async flow opens, until disposed (tests).</summary>
    internal static IDisposable Intercept(Func<string, Stream, Stream> wrap)
    {
        Interceptor.Value = wrap;
        return new Restore();
    }

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, which gets the temporary file's stream.</summary>
    /// <exception cref="OutputWriteException">Creating, flushing or renaming the file failed; the message names <paramref name="path"/>.</exception>
    public static async Task WriteAsync(string path, Func<Stream, Task> write)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        var temporary = Path.Combine(directory, $".{Path.GetFileName(full)}.{Guid.NewGuid().ToString("N")[..8]}{TemporarySuffix}");
        Stream stream;
        try
        {
            Directory.CreateDirectory(directory);
            stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
            stream = Interceptor.Value?.Invoke(temporary, stream) ?? stream;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OutputWriteException(path, e, removed: false);
        }

        try
        {
            try
            {
                await write(stream);
            }
            catch
            {
                await DisposeQuietlyAsync(stream);
                throw;
            }

            try
            {
                // Disposing flushes the last buffer: a full disk shows up here as often as in a write.
                await stream.DisposeAsync();
                File.Move(temporary, full, overwrite: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new OutputWriteException(path, e, removed: true);
            }
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Removes the temporary files that killed writers of <paramref name="path"/> left behind.</summary>
    public static void RemoveStale(string path)
    {
        var full = Path.GetFullPath(path);
        var directory = Path.GetDirectoryName(full)!;
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var stale in Directory.EnumerateFiles(directory, $".{Path.GetFileName(full)}.*{TemporarySuffix}"))
        {
            TryDelete(stale);
        }
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose() => Interceptor.Value = null;
    }

    private static async Task DisposeQuietlyAsync(Stream stream)
    {
        try
        {
            await stream.DisposeAsync();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The write already failed; that error is the one to report.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Best effort: the name is hidden and matches RemoveStale, so a re-run clears it.
        }
    }
}

/// <summary>An output file could not be written; the message names the file (not its temporary name).</summary>
internal sealed class OutputWriteException(string path, Exception inner, bool removed)
    : IOException($"{path}: could not write the output ({ErrorReport.OneLine(inner.Message)}){(removed ? "; the partial file was removed" : string.Empty)}", inner);
