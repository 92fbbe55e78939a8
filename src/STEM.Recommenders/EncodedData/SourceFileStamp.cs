using STEM.Recommenders.Data;

namespace STEM.Recommenders.EncodedData;

/// <summary>A source file as it was when a cache was built: a changed size or time makes the cache stale.</summary>
/// <param name="Path">Full path.</param>
/// <param name="Bytes">Size in bytes.</param>
/// <param name="LastWriteTimeUtc">Last write time (UTC).</param>
public sealed record SourceFileStamp(string Path, long Bytes, DateTime LastWriteTimeUtc)
{
    /// <summary>The stamp of a file as it is now.</summary>
    /// <exception cref="DataFormatException">The file does not exist.</exception>
    public static SourceFileStamp Of(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new DataFormatException(path, "file not found");
        }

        return new SourceFileStamp(info.FullName, info.Length, info.LastWriteTimeUtc);
    }
}
