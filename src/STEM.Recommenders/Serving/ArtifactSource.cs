using System.IO.Compression;

namespace STEM.Recommenders.Serving;

/// <summary>
/// The files of an artifact, from a directory or read as streams straight from a zip (nothing is
/// extracted). A zip must hold the artifact's files and nothing else, each once; every entry is
/// opened with a limit on the bytes it may inflate to.
/// </summary>
internal abstract class ArtifactSource : IDisposable
{
    protected ArtifactSource(string shownAs) => ShownAs = shownAs;

    /// <summary>The artifact as the user named it, for messages.</summary>
    public string ShownAs { get; }

    public static ArtifactSource Open(string path, IReadOnlySet<string> files)
    {
        if (path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".stem", StringComparison.OrdinalIgnoreCase))
        {
            if (File.Exists(path))
            {
                return new Zip(path, files);
            }
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no model artifact here (expected a directory with {ModelArtifact.MetadataFile}, or a .zip/.stem file).", path);
        }

        return new Folder(path);
    }

    /// <summary>The size the file says it has (a zip entry's uncompressed size), or null when absent.</summary>
    public abstract long? SizeOf(string file);

    /// <summary>Opens a file that must exist; reading more than <paramref name="limit"/> bytes fails naming it.</summary>
    public Stream Open(string file, long limit)
    {
        var size = SizeOf(file) ?? throw new InvalidDataException($"{ShownAs}: the artifact has no {file}.");
        if (size > limit)
        {
            throw new InvalidDataException($"{ShownAs}: {file} is {size} bytes, more than the {limit} that artifact.json allows for it.");
        }

        return new BoundedReadStream(OpenRaw(file), limit, l => $"{ShownAs}: {file} holds more than the {l} bytes that artifact.json allows for it (its stated size is wrong).");
    }

    public virtual void Dispose()
    {
    }

    protected abstract Stream OpenRaw(string file);

    private sealed class Folder(string directory) : ArtifactSource(directory)
    {
        public override long? SizeOf(string file)
        {
            var info = new FileInfo(Path.Combine(ShownAs, file));
            return info.Exists ? info.Length : null;
        }

        protected override Stream OpenRaw(string file) => File.OpenRead(Path.Combine(ShownAs, file));
    }

    private sealed class Zip : ArtifactSource
    {
        private readonly ZipArchive _archive;
        private readonly Dictionary<string, ZipArchiveEntry> _entries = new(StringComparer.Ordinal);

        public Zip(string path, IReadOnlySet<string> files)
            : base(path)
        {
            try
            {
                _archive = ZipFile.OpenRead(path);
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{path}: not a model artifact zip file ({e.Message}).", e);
            }

            try
            {
                foreach (var entry in _archive.Entries)
                {
                    if (!files.Contains(entry.FullName))
                    {
                        throw new InvalidDataException($"{path}: unexpected entry '{entry.FullName}'; an artifact holds {string.Join(", ", files.Order(StringComparer.Ordinal))} only.");
                    }

                    if (!_entries.TryAdd(entry.FullName, entry))
                    {
                        throw new InvalidDataException($"{path}: the entry '{entry.FullName}' appears twice.");
                    }
                }
            }
            catch
            {
                _archive.Dispose();
                throw;
            }
        }

        public override long? SizeOf(string file) => _entries.TryGetValue(file, out var entry) ? entry.Length : null;

        public override void Dispose()
        {
            _archive.Dispose();
            base.Dispose();
        }

        protected override Stream OpenRaw(string file)
        {
            try
            {
                return _entries[file].Open();
            }
            catch (InvalidDataException e)
            {
                throw new InvalidDataException($"{ShownAs}: {file} cannot be read ({e.Message}).", e);
            }
        }
    }
}
