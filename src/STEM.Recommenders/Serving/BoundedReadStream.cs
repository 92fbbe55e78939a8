namespace STEM.Recommenders.Serving;

/// <summary>
/// A read-only view of a stream that fails once more than a limit has been read: a zip entry's
/// stated size is only a claim (a 0.5 MB file can inflate to 512 MiB), so the limit is enforced
/// on the bytes themselves, not on the header.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit, Func<long, string> tooLarge) : Data.ReadOnlyStreamView(inner)
{
    public override int Read(Span<byte> buffer)
    {
        // One byte beyond the limit is asked for, so that reaching it exactly still succeeds.
        var allowed = (int)Math.Min(buffer.Length, limit - BytesRead + 1);
        var n = Inner.Read(buffer[..allowed]);
        BytesRead += n;
        if (BytesRead > limit)
        {
            throw new InvalidDataException(tooLarge(limit));
        }

        return n;
    }
}
