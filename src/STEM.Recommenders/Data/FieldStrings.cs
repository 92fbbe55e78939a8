namespace STEM.Recommenders.Data;

/// <summary>
/// Shares the string instances of short, frequent values ("0", "1", "full_active") across a
/// file: recommendation logs repeat a few values millions of times, and sharing them cuts both
/// allocations and the memory a table holds.
/// </summary>
internal static class FieldStrings
{
    private const int MaxPooledLength = 12;
    private const int Slots = 4096;

    [ThreadStatic]
    private static string?[]? t_slots;

    public static string Create(ReadOnlySpan<char> value)
    {
        if (value.Length > MaxPooledLength)
        {
            return new string(value);
        }

        var slots = t_slots ??= new string?[Slots];
        var hash = string.GetHashCode(value) & (Slots - 1);
        var pooled = slots[hash];
        if (pooled is not null && value.SequenceEqual(pooled))
        {
            return pooled;
        }

        var created = new string(value);
        slots[hash] = created;
        return created;
    }
}
