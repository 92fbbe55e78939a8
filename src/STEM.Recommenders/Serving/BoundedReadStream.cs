namespace STEM.Recommenders.Serving;

/// <summary>
/// A read-only view of a stream that fails once more than a limit has been read: a zip entry's
/// stated size is only a claim (a 0.5 MB file can inflate to 512 MiB), so the limit is enforced
/// on the bytes themselves, not on the header.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit, Func<long, string> tooLarge) : Stream
{
    private long _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // One byte beyond the limit is asked for, so that reaching it exactly still succeeds.
        var allowed = (int)Math.Min(buffer.Length, limit - _read + 1);
        var n = inner.Read(buffer[..allowed]);
        _read += n;
        if (_read > limit)
        {
            throw new InvalidDataException(tooLarge(limit));
        }

        return n;
    }

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
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
