namespace STEM.Recommenders.EncodedData;

/// <summary>
/// Where each field lives in the encoded tensors and the embedding tables: its slots in the id
/// matrix and its rows in one global id space. Fields with task-specific embeddings come first,
/// so the first <see cref="TaskSpecificRows"/> ids index the wide (shared + per-task) table and the
/// rest index the shared-only table. Models read a layout, never raw columns (as FuxiCTR models
/// read a feature map).
/// </summary>
public sealed class FeatureLayout
{
    /// <summary>Builds a layout from per-field row and slot counts, in the given order.</summary>
    /// <param name="fields">Name, rows, slots and task-specific flag of each field.</param>
    public FeatureLayout(IEnumerable<(string Name, long Rows, int Slots, bool TaskSpecific)> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var all = fields.ToArray();
        if (all.Length == 0)
        {
            throw new ArgumentException("A layout needs at least one field.", nameof(fields));
        }

        // Task-specific fields first: one contiguous id range and slot range per table.
        var ordered = all.Where(f => f.TaskSpecific).Concat(all.Where(f => !f.TaskSpecific)).ToArray();
        var list = new List<FieldLayout>(ordered.Length);
        var slotToField = new List<int>();
        long offset = 0;
        var slot = 0;
        for (var i = 0; i < ordered.Length; i++)
        {
            var (name, rows, slots, taskSpecific) = ordered[i];
            if (rows < 1 || slots < 1)
            {
                throw new ArgumentException($"Field '{name}' needs at least one row and one slot.", nameof(fields));
            }

            list.Add(new FieldLayout(name, taskSpecific, offset, rows, slot, slots));
            for (var s = 0; s < slots; s++)
            {
                slotToField.Add(i);
            }

            offset += rows;
            slot += slots;
        }

        Fields = list;
        SlotToField = slotToField;
        TaskSpecificFieldCount = list.Count(f => f.TaskSpecific);
        TaskSpecificSlotCount = list.Where(f => f.TaskSpecific).Sum(f => f.SlotCount);
        TaskSpecificRows = list.Where(f => f.TaskSpecific).Sum(f => f.Rows);
        TotalRows = offset;
    }

    /// <summary>A layout of single-slot categorical fields with the given vocabulary sizes (tests, custom data).</summary>
    public static FeatureLayout Categorical(IReadOnlyList<long> rowsPerField, IReadOnlyList<bool>? taskSpecific = null)
    {
        ArgumentNullException.ThrowIfNull(rowsPerField);
        return new FeatureLayout(rowsPerField.Select((rows, i) => ($"f{i}", rows, 1, taskSpecific?[i] ?? true)));
    }

    /// <summary>The fields, task-specific ones first.</summary>
    public IReadOnlyList<FieldLayout> Fields { get; }

    /// <summary>For each slot (column of the id matrix), the index of its field in <see cref="Fields"/>.</summary>
    public IReadOnlyList<int> SlotToField { get; }

    /// <summary>Number of fields.</summary>
    public int FieldCount => Fields.Count;

    /// <summary>Number of id slots (columns of the id matrix); larger than the field count when a field is multi-valued.</summary>
    public int SlotCount => SlotToField.Count;

    /// <summary>Number of fields with task-specific embeddings (they come first).</summary>
    public int TaskSpecificFieldCount { get; }

    /// <summary>Number of slots of fields with task-specific embeddings (they come first).</summary>
    public int TaskSpecificSlotCount { get; }

    /// <summary>Rows of the wide table (ids below this index it).</summary>
    public long TaskSpecificRows { get; }

    /// <summary>Rows of both tables together (the size of the global id space).</summary>
    public long TotalRows { get; }

    /// <summary>Whether any field has more than one slot (so slots must be pooled into fields).</summary>
    public bool HasPooledFields => SlotCount != FieldCount;

    /// <summary>
    /// The first field in which two layouts differ (name, task-specific flag, rows or slots, in order),
    /// described for an error message; <see langword="null"/> when they are the same layout. Equal
    /// totals are not enough: two pipelines with the same row and slot counts can still give a
    /// field's ids another meaning.
    /// </summary>
    internal string? DifferenceFrom(FeatureLayout other, string mine, string theirs)
    {
        static string Describe(FieldLayout f) => $"'{f.Name}' ({(f.TaskSpecific ? "task-specific" : "shared")}, {f.Rows} rows, {f.SlotCount} slots)";
        for (var i = 0; i < Math.Max(FieldCount, other.FieldCount); i++)
        {
            var a = i < FieldCount ? Fields[i] : null;
            var b = i < other.FieldCount ? other.Fields[i] : null;
            if (a != b)
            {
                return $"field {i} is {(a is null ? "absent" : Describe(a))} in {mine} but {(b is null ? "absent" : Describe(b))} in {theirs}";
            }
        }

        return null;
    }
}

/// <summary>One field's place in a <see cref="FeatureLayout"/>.</summary>
/// <param name="Name">Field name.</param>
/// <param name="TaskSpecific">Whether it has task-specific embeddings.</param>
/// <param name="Offset">First global id of the field.</param>
/// <param name="Rows">Number of ids (embedding rows).</param>
/// <param name="FirstSlot">First column of the id matrix.</param>
/// <param name="SlotCount">Number of columns of the id matrix.</param>
public sealed record FieldLayout(string Name, bool TaskSpecific, long Offset, long Rows, int FirstSlot, int SlotCount);
