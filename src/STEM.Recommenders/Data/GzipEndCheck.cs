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
internal sealed class GzipEndCheck : Stream
{
    private readonly string _path;
    private readonly GZipStream _inner;
    private readonly Crc32 _crc = new();
    private readonly uint _expectedCrc;
    private readonly uint _expectedLength;
    private readonly bool _hasTrailer;
    private long _length;
    private bool _checked;

    public GzipEndCheck(string path, FileStream file)
    {
        _path = path;
        var size = file.Length;
        _hasTrailer = size >= 18; // a 10-byte header, an empty deflate body of at least 0 bytes, and the 8-byte trailer
        if (_hasTrailer)
        {
            Span<byte> trailer = stackalloc byte[8];
            file.Seek(-8, SeekOrigin.End);
            file.ReadExactly(trailer);
            file.Seek(0, SeekOrigin.Begin);
            _expectedCrc = BinaryPrimitives.ReadUInt32LittleEndian(trailer);
            _expectedLength = BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]);
        }

        _inner = new GZipStream(file, CompressionMode.Decompress);
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _length;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Seen(buffer, _inner.Read(buffer));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var read = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        return Seen(buffer.Span, read);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private int Seen(ReadOnlySpan<byte> buffer, int read)
    {
        if (read > 0)
        {
            _crc.Append(buffer[..read]);
            _length += read;
            return read;
        }

        if (!_checked)
        {
            _checked = true;
            var crc = _crc.GetCurrentHashAsUInt32();
            if (!_hasTrailer || crc != _expectedCrc || (uint)_length != _expectedLength)
            {
                throw new DataFormatException(
                    _path,
                    $"the gzip stream ends early or is damaged: {_length:N0} bytes decompressed, CRC-32 {crc:x8}, but the file's trailer says {_expectedLength:N0} bytes, CRC-32 {_expectedCrc:x8} "
                    + "(the file was cut short; or it is several gzip files concatenated, which must be recompressed as one)");
            }
        }

        return 0;
    }
}
