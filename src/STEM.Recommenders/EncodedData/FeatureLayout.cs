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
        : this((fields ?? throw new ArgumentNullException(nameof(fields))).Select(f => (f.Name, f.Rows, f.Slots, f.TaskSpecific, (string?)null)))
    {
    }

    /// <summary>
    /// Builds a layout from per-field row and slot counts and vocabulary hashes, in the given order.
    /// A pipeline passes the hash of what its ids stand for (see <see cref="FieldLayout.VocabularyHash"/>),
    /// so that layouts with equal counts but different vocabularies are told apart.
    /// </summary>
    /// <param name="fields">Name, rows, slots, task-specific flag and vocabulary hash (null when unknown) of each field.</param>
    public FeatureLayout(IEnumerable<(string Name, long Rows, int Slots, bool TaskSpecific, string? VocabularyHash)> fields)
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
            var (name, rows, slots, taskSpecific, vocabularyHash) = ordered[i];
            if (rows < 1 || slots < 1)
            {
                throw new ArgumentException($"Field '{name}' needs at least one row and one slot.", nameof(fields));
            }

            list.Add(new FieldLayout(name, taskSpecific, offset, rows, slot, slots) { VocabularyHash = vocabularyHash });
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
    /// The first field in which two layouts differ (name, task-specific flag, rows, slots or
    /// vocabulary hash, in order), described for an error message; <see langword="null"/> when they
    /// are the same layout. Equal totals are not enough: two pipelines with the same row and slot
    /// counts can still give a field's ids another meaning. Vocabulary hashes are compared when both
    /// layouts have one for the field (a layout built from counts alone, or read from an older cache,
    /// has none).
    /// </summary>
    internal string? DifferenceFrom(FeatureLayout other, string mine, string theirs)
    {
        for (var i = 0; i < Math.Max(FieldCount, other.FieldCount); i++)
        {
            var a = i < FieldCount ? Fields[i] : null;
            var b = i < other.FieldCount ? other.Fields[i] : null;
            if (a is null || b is null || !a.SameShape(b))
            {
                return $"field {i} is {a?.Describe() ?? "absent"} in {mine} but {b?.Describe() ?? "absent"} in {theirs}";
            }

            if (a.VocabularyHash is not null && b.VocabularyHash is not null
                && !string.Equals(a.VocabularyHash, b.VocabularyHash, StringComparison.Ordinal))
            {
                return $"field {i} '{a.Name}' has {a.Rows} rows in both but another vocabulary: hash {a.VocabularyHash} in {mine}, {b.VocabularyHash} in {theirs} (the same ids stand for other values)";
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
public sealed record FieldLayout(string Name, bool TaskSpecific, long Offset, long Rows, int FirstSlot, int SlotCount)
{
    /// <summary>
    /// A hash of what the field's ids stand for (its vocabulary in index order, or its bucket
    /// boundaries), written by the pipeline that fitted it; <see langword="null"/> when the layout
    /// was built from counts alone (<see cref="FeatureLayout.Categorical"/>, custom data), read from
    /// a cache written before hashes were recorded, or the field's ids need no vocabulary (hashed,
    /// plain numeric and dense-vector fields, whose rows and slots say everything).
    /// </summary>
    public string? VocabularyHash { get; init; }

    internal bool SameShape(FieldLayout other) =>
        string.Equals(Name, other.Name, StringComparison.Ordinal) && TaskSpecific == other.TaskSpecific
        && Offset == other.Offset && Rows == other.Rows && FirstSlot == other.FirstSlot && SlotCount == other.SlotCount;

    internal string Describe() =>
        $"'{Name}' ({(TaskSpecific ? "task-specific" : "shared")}, {Rows} rows, {SlotCount} slots)";
}
