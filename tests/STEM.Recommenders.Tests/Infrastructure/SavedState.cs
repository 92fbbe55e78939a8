namespace STEM.Recommenders.Tests.Infrastructure;

/// <summary>State written by a Save(BinaryWriter) method, for round-trip and bad-state tests.</summary>
internal static class SavedState
{
    /// <summary>What <paramref name="save"/> writes, positioned at its start.</summary>
    public static MemoryStream Of(Action<BinaryWriter> save)
    {
        var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            save(writer);
        }

        stream.Position = 0;
        return stream;
    }
}
