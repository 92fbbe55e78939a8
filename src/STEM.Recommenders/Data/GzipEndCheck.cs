using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace STEM.Recommenders.Data;

/// <summary>
/// A gunzipped file that is checked to be complete: <see cref="GZipStream"/> reports the end of a
/// file cut short (a copy that stopped, a disk that filled) as a normal end, and a cut on a line
/// boundary would silently lose the rest of the rows. At the end, the CRC-32 and length of
/// everything decompressed are compared with the file's gzip trailer (its last 8 bytes).
/// </summary>
/// <remarks>
/// The check covers the usual single-member file (gzip, pigz, Spark and pandas all write one). A
/// file of several concatenated members is decompressed whole by <see cref="GZipStream"/>, but its
/// trailer describes only the last member, so it fails the check with a message that says so:
/// recompress it as one member (<c>zcat a.gz | gzip &gt; b.gz</c>).
/// </remarks>
internal sealed class GzipEndCheck : ReadOnlyStreamView
{
    private readonly string _path;
    private readonly Crc32 _crc = new();
    private readonly uint _expectedCrc;
    private readonly uint _expectedLength;
    private readonly bool _hasTrailer;
    private bool _checked;

    public GzipEndCheck(string path, FileStream file)
        : base(new GZipStream(ReadTrailer(file, out var trailer), CompressionMode.Decompress))
    {
        _path = path;
        (_hasTrailer, _expectedCrc, _expectedLength) = trailer;
    }

    public override int Read(Span<byte> buffer) => Seen(buffer, Inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await Inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Seen(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>The file's last 8 bytes (CRC-32 and length of the last member), read before decompression starts.</summary>
    private static FileStream ReadTrailer(FileStream file, out (bool Present, uint Crc, uint Length) trailer)
    {
        // A 10-byte header and the 8-byte trailer at least.
        if (file.Length < 18)
        {
            trailer = (false, 0, 0);
            return file;
        }

        Span<byte> bytes = stackalloc byte[8];
        file.Seek(-8, SeekOrigin.End);
        file.ReadExactly(bytes);
        file.Seek(0, SeekOrigin.Begin);
        trailer = (true, BinaryPrimitives.ReadUInt32LittleEndian(bytes), BinaryPrimitives.ReadUInt32LittleEndian(bytes[4..]));
        return file;
    }

    private int Seen(ReadOnlySpan<byte> buffer, int read)
    {
        if (read > 0)
        {
            _crc.Append(buffer[..read]);
            BytesRead += read;
            return read;
        }

        if (!_checked)
        {
            _checked = true;
            var crc = _crc.GetCurrentHashAsUInt32();
            if (!_hasTrailer || crc != _expectedCrc || (uint)BytesRead != _expectedLength)
            {
                throw new DataFormatException(
                    _path,
                    $"the gzip stream ends early or is damaged: {BytesRead:N0} bytes decompressed, CRC-32 {crc:x8}, but the file's trailer says {_expectedLength:N0} bytes, CRC-32 {_expectedCrc:x8} "
                    + "(the file was cut short; or it is several gzip files concatenated, which must be recompressed as one)");
            }
        }

        return 0;
    }
}
