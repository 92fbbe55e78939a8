using STEM.Recommenders.EncodedData;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// The STEM embedding layer: one shared view and T task-specific views of every field.
/// Fields with task-specific embeddings live in one wide table whose row holds T+1 vectors
/// (the authors' layout); shared-only fields live in a narrow table. Each table is looked up once
/// per batch whatever the number of fields, using the layout's global ids.
/// </summary>
/// <remarks>
/// With <see cref="RowSparseGradients"/> on, a lookup gathers the batch's unique rows into a leaf
/// tensor and records it, so the optimizer updates only those rows (TorchSharp has no sparse
/// gradients for embeddings; dense Adam would rewrite every row of every table each step).
/// With <see cref="TablePlacement"/> <see cref="Modules.TablePlacement.Host"/> the tables stay in host
/// memory when the model moves to a GPU: the lookup runs on the host and only the batch's unique rows
/// travel to the batch's device (docs/scale-out.md).
/// </remarks>
public sealed class EmbeddingBank : nn.Module<FeatureBatch, Tensor>
{
    private readonly Parameter? task_table;
    private readonly Parameter? shared_table;
    private readonly Tensor? slot_field_wide;
    private readonly Tensor? slot_field_shared;
    private readonly FeatureLayout _layout;
    private readonly List<SparseLookup> _pending = new();
    private readonly Scalar _wideOffset;
    private TablePlacement _placement;

    /// <summary>Creates the tables.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="layout">The encoded fields.</param>
    /// <param name="dim">Embedding width d. The STEM paper uses 16.</param>
    /// <param name="taskViews">Number of task-specific views T (0 for a shared embedding only).</param>
    /// <param name="initStd">Standard deviation of the normal initialisation (1e-4 in the reference code).</param>
    public EmbeddingBank(string name, FeatureLayout layout, int dim, int taskViews, double initStd = 1e-4)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(taskViews);
        _layout = layout;
        Dim = dim;
        TaskViews = taskViews;

        // Without task views every field is shared: one narrow table covers the whole id space.
        WideFields = taskViews == 0 ? 0 : layout.TaskSpecificFieldCount;
        WideSlots = taskViews == 0 ? 0 : layout.TaskSpecificSlotCount;
        WideRows = taskViews == 0 ? 0 : layout.TaskSpecificRows;
        _wideOffset = WideRows.ToScalar();
        using (no_grad())
        {
            if (WideRows > 0)
            {
                task_table = new Parameter(empty(WideRows, (taskViews + 1) * dim).normal_(0, initStd));
            }

            if (layout.TotalRows > WideRows)
            {
                shared_table = new Parameter(empty(layout.TotalRows - WideRows, dim).normal_(0, initStd));
            }
        }

        if (layout.HasPooledFields)
        {
            var fieldOfSlot = layout.SlotToField.Select(f => (long)f).ToArray();
            if (WideSlots > 0)
            {
                slot_field_wide = tensor(fieldOfSlot[..WideSlots]);
            }

            if (WideSlots < layout.SlotCount)
            {
                slot_field_shared = tensor(fieldOfSlot[WideSlots..].Select(f => f - WideFields).ToArray());
            }
        }

        RegisterComponents();
    }

    /// <summary>The encoded fields the tables cover (exporters read the slot and row ranges from it).</summary>
    public FeatureLayout Layout => _layout;

    /// <summary>Embedding width d.</summary>
    public int Dim { get; }

    /// <summary>Number of task-specific views T.</summary>
    public int TaskViews { get; }

    /// <summary>Number of views produced: T task-specific views then the shared view.</summary>
    public int ViewCount => TaskViews + 1;

    /// <summary>Width of one view: fields × d.</summary>
    public int ViewWidth => _layout.FieldCount * Dim;

    /// <summary>Fields in the wide table.</summary>
    public int WideFields { get; }

    private int WideSlots { get; }

    private long WideRows { get; }

    /// <summary>The wide table [rows, (T+1)·d] (task views then shared), or <see langword="null"/>.</summary>
    public Parameter? TaskSpecificTable => task_table;

    /// <summary>The shared-only table [rows, d], or <see langword="null"/>.</summary>
    public Parameter? SharedTable => shared_table;

    /// <summary>The embedding tables, for optimizer parameter groups and regularisation.</summary>
    public IEnumerable<Parameter> Tables => new[] { task_table, shared_table }.Where(t => t is not null)!;

    /// <summary>
    /// When true (set by a row-sparse optimizer), training-mode lookups record the unique rows they
    /// touch and give their gradients to those rows only; the tables' own gradients stay empty.
    /// </summary>
    public bool RowSparseGradients { get; set; }

    /// <summary>
    /// Where the tables live. <see cref="Modules.TablePlacement.Host"/> moves them to the host now and
    /// keeps them there when the module is moved to another device; set it before moving the model.
    /// Default <see cref="Modules.TablePlacement.Device"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined placement.</exception>
    public TablePlacement TablePlacement
    {
        get => _placement;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "TablePlacement must be Device or Host.");
            }

            _placement = value;
            if (value == TablePlacement.Host)
            {
                base._to(DeviceType.CPU, -1, false);
            }
        }
    }

    /// <summary>Lookups that ran on the host and copied their rows to the batch's device (host placement).</summary>
    internal long HostLookups { get; private set; }

    /// <summary>Bytes of gathered rows copied from the host tables to the batch's device (host placement).</summary>
    internal long BytesToDevice { get; private set; }

    /// <summary>The lookups recorded since the last <see cref="ClearLookups"/> (row-sparse mode).</summary>
    internal IReadOnlyList<SparseLookup> PendingLookups => _pending;

    /// <summary>Forgets recorded lookups (after an optimizer step, or when a step is abandoned).</summary>
    public void ClearLookups() => _pending.Clear();

    /// <summary>
    /// Moves the recorded lookups' tensors (unique rows and their gradient leaves) to the dispose
    /// scope outside the current one, so that they outlive a forward pass run in its own scope
    /// until the optimizer has read their gradients.
    /// </summary>
    internal void KeepLookupsBeyondScope()
    {
        foreach (var lookup in _pending)
        {
            lookup.Rows.MoveToOuterDisposeScope();
            lookup.Values.MoveToOuterDisposeScope();
        }
    }

    /// <summary>Looks up a batch.</summary>
    /// <returns>[T+1, B, F·d]: view t for task t, the last view shared. Field order is the layout's.</returns>
    public override Tensor forward(FeatureBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var ids = batch.Ids;

        // Host tables: the ids come to the host for the lookup (B·S int64, far less than the rows
        // that go the other way); the looked-up rows go to the batch's device.
        var device = ids.device;
        if (_placement == TablePlacement.Host && ids.device_type != DeviceType.CPU)
        {
            ids = ids.cpu();
        }

        var weights = batch.SlotWeights;
        var b = ids.shape[0];
        var views = ViewCount;
        Tensor? wide = null, narrow = null;
        if (task_table is not null)
        {
            var slots = WideSlots == _layout.SlotCount ? ids : ids.narrow(1, 0, WideSlots);
            var e = Lookup(task_table, slots, device).view(b, WideSlots, views * Dim);
            e = Pool(e, weights?.narrow(1, 0, WideSlots), slot_field_wide, WideFields);
            wide = e.view(b, WideFields, views, Dim).permute(2, 0, 1, 3);
        }

        if (shared_table is not null)
        {
            var count = _layout.SlotCount - WideSlots;
            var slots = WideSlots == 0 ? ids : ids.narrow(1, WideSlots, count).sub(_wideOffset);
            var e = Lookup(shared_table, slots, device).view(b, count, Dim);
            e = Pool(e, WideSlots == 0 ? weights : weights?.narrow(1, WideSlots, count), slot_field_shared, _layout.FieldCount - WideFields);
            narrow = e.unsqueeze(0).expand(views, b, _layout.FieldCount - WideFields, Dim);
        }

        var all = wide is null ? narrow! : narrow is null ? wide : cat([wide, narrow], 2);
        return all.reshape(views, b, ViewWidth);
    }

    /// <summary>Keeps host-placed tables on the host when the module is moved.</summary>
    protected override nn.Module _to(DeviceType deviceType, int deviceIndex, bool non_blocking) =>
        _placement == TablePlacement.Host ? base._to(DeviceType.CPU, -1, non_blocking) : base._to(deviceType, deviceIndex, non_blocking);

    /// <summary>Keeps host-placed tables on the host when the module is moved (the element type still changes).</summary>
    protected override nn.Module _to(Device device, ScalarType dtype, bool non_blocking) =>
        base._to(_placement == TablePlacement.Host ? CPU : device, dtype, non_blocking);

    private Tensor Lookup(Parameter table, Tensor ids, Device device)
    {
        if (_placement == TablePlacement.Host)
        {
            return HostLookup(table, ids, device);
        }

        var flat = ids.reshape(-1);
        if (!RowSparseGradients || !training || !is_grad_enabled())
        {
            return table.index_select(0, flat);
        }

        var (unique, inverse, _) = torch.unique(flat, sorted: true, return_inverse: true);
        var rows = table.detach().index_select(0, unique).requires_grad_(true);
        _pending.Add(new SparseLookup(table, unique, rows));
        return rows.index_select(0, inverse!);
    }

    /// <summary>
    /// The host-placed lookup: unique rows gathered on the host, copied to <paramref name="device"/>
    /// (through pinned memory, asynchronously, when that is a GPU), expanded to the batch there. In
    /// row-sparse training the copy is the leaf whose gradient the optimizer brings back to the host.
    /// </summary>
    private Tensor HostLookup(Parameter table, Tensor ids, Device device)
    {
        var (unique, inverse, _) = torch.unique(ids.reshape(-1), sorted: true, return_inverse: true);
        var sparse = RowSparseGradients && training && is_grad_enabled();
        Tensor rows;
        if (sparse || !is_grad_enabled() || !table.requires_grad)
        {
            rows = ToDevice(table.detach().index_select(0, unique), device);
            if (sparse)
            {
                rows = rows.requires_grad_(true);
                _pending.Add(new SparseLookup(table, unique, rows, OnHost: true));
            }
        }
        else
        {
            // Dense updates of host tables: the copy is part of the graph, so the table's own
            // gradient (on the host) receives the rows' gradients.
            rows = table.index_select(0, unique).to(device);
        }

        HostLookups++;
        BytesToDevice += rows.NumberOfElements * rows.ElementSize;
        return rows.index_select(0, inverse!.to(device));
    }

    private static Tensor ToDevice(Tensor host, Device device)
    {
        if (device.type == DeviceType.CPU)
        {
            return host;
        }

        // Pinned (page-locked) memory lets the copy run asynchronously on the device's stream;
        // LibTorch's caching host allocator reuses the pinned blocks from batch to batch.
        return host.pin_memory().to(device, non_blocking: true);
    }

    private static Tensor Pool(Tensor slots, Tensor? weights, Tensor? slotField, int fields)
    {
        if (weights is not null)
        {
            slots = slots * weights.unsqueeze(-1);
        }

        if (slotField is null)
        {
            return slots;
        }

        var pooled = zeros(slots.shape[0], fields, slots.shape[2], dtype: slots.dtype, device: slots.device);
        return pooled.index_add(1, slotField.to(slots.device), slots, Scalars.One);
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            // The module's own scalar, freed with it rather than by the finalizer (see Scalars).
            _wideOffset.Dispose();
        }

        base.Dispose(disposing);
    }
}

/// <summary>One row-sparse lookup: the table, the unique row ids it read, and the leaf holding those rows.</summary>
/// <param name="Table">The embedding table.</param>
/// <param name="Rows">int64 [U] unique row ids.</param>
/// <param name="Values">[U, width] leaf tensor whose gradient is the rows' gradient.</param>
/// <param name="OnHost">The table is host-placed: <paramref name="Rows"/> are on the host, <paramref name="Values"/> on the batch's device.</param>
internal sealed record SparseLookup(Parameter Table, Tensor Rows, Tensor Values, bool OnHost = false);
