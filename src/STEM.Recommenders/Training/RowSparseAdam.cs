using STEM.Recommenders.Modules;
using STEM.Recommenders.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// Lazy ("row-sparse") Adam for embedding tables: each step updates only the rows the batch looked
/// up, and only their moments — TorchSharp has no SparseAdam, and dense Adam rewrites every row of
/// every table every step. Adam's step count is per table, so when every row occurs in every batch
/// the result equals dense Adam exactly. It works with <see cref="EmbeddingBank.RowSparseGradients"/>.
/// </summary>
public sealed class RowSparseAdam : IDisposable
{
    private readonly EmbeddingBank[] _banks;
    private readonly Dictionary<IntPtr, TableState> _state = new();
    private readonly AdamCoefficients _adam;

    /// <summary>Creates zeroed moments for every table (on the table's device) and switches the banks to row-sparse lookups.</summary>
    /// <remarks>Set the banks' <see cref="EmbeddingBank.TablePlacement"/> before creating the optimizer.</remarks>
    public RowSparseAdam(IEnumerable<EmbeddingBank> banks, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(banks);
        _banks = banks.ToArray();
        foreach (var bank in _banks)
        {
            bank.RowSparseGradients = true;
            foreach (var table in bank.Tables)
            {
                // The moments live with their table: in host memory for a host-placed bank.
                _state[table.Handle] = new TableState(table, zeros_like(table).DetachFromDisposeScope(), zeros_like(table).DetachFromDisposeScope())
                {
                    Host = bank.TablePlacement == TablePlacement.Host,
                };
            }
        }

        _adam = new AdamCoefficients(beta1, beta2, eps);
    }

    /// <summary>The tables' gradients since the last step, merged per table: (table, unique rows [U], row gradients [U, W]).</summary>
    /// <remarks>Tensors belong to the current dispose scope.</remarks>
    public IReadOnlyList<(Parameter Table, Tensor Rows, Tensor Gradient)> CollectGradients()
    {
        var result = new List<(Parameter, Tensor, Tensor)>();
        foreach (var group in _banks.SelectMany(b => b.PendingLookups).Where(l => l.Values.grad is not null).GroupBy(l => l.Table.Handle))
        {
            var lookups = group.ToArray();
            if (lookups.Length == 1)
            {
                result.Add((lookups[0].Table, lookups[0].Rows, GradientOf(lookups[0])));
                continue;
            }

            // The same table looked up more than once in a step: sum gradients of repeated rows.
            var rows = cat(lookups.Select(l => l.Rows).ToArray());
            var grads = cat(lookups.Select(GradientOf).ToArray());
            var (unique, inverse, _) = torch.unique(rows, sorted: true, return_inverse: true);
            var merged = zeros(unique.shape[0], grads.shape[1], dtype: grads.dtype, device: grads.device).index_add_(0, inverse!, grads, 1);
            result.Add((lookups[0].Table, unique, merged));
        }

        return result;
    }

    /// <summary>Gradients of host-placed rows brought back to the host (one per lookup and step).</summary>
    internal long GradientsToHost { get; private set; }

    /// <summary>Row-sparse updates applied to host-placed tables, on the host.</summary>
    internal long HostSteps { get; private set; }

    /// <summary>
    /// The gradient of a lookup's rows, on the table's device: a host-placed table's rows were read
    /// on the batch's device, so their gradient comes back to the host, where the update runs.
    /// </summary>
    private Tensor GradientOf(SparseLookup lookup)
    {
        if (!lookup.OnHost)
        {
            return lookup.Values.grad!;
        }

        GradientsToHost++;
        return lookup.Values.grad!.cpu();
    }

    /// <summary>Applies one lazy Adam update to the given rows of each table.</summary>
    public void Step(double learningRate, IReadOnlyList<(Parameter Table, Tensor Rows, Tensor Gradient)> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        foreach (var (table, rows, g) in gradients)
        {
            var state = _state[table.Handle];
            state.Step++;
            if (state.Host)
            {
                HostSteps++;
            }

            var m = state.M.index_select(0, rows);
            var v = state.V.index_select(0, rows);
            _adam.UpdateMoments(m, v, g);
            state.M.index_copy_(0, rows, m);
            state.V.index_copy_(0, rows, v);
            var updated = table.index_select(0, rows);
            _adam.Apply(updated, m, v, learningRate, state.Step);
            table.index_copy_(0, rows, updated);
        }
    }

    /// <summary>Moves every bank's recorded lookups out of the current dispose scope (<see cref="EmbeddingBank.KeepLookupsBeyondScope"/>).</summary>
    internal void KeepLookupsBeyondScope()
    {
        foreach (var bank in _banks)
        {
            bank.KeepLookupsBeyondScope();
        }
    }

    /// <summary>Forgets the recorded lookups of every bank.</summary>
    public void ClearLookups()
    {
        foreach (var bank in _banks)
        {
            bank.ClearLookups();
        }
    }

    /// <summary>Writes steps and moments of every table.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var states = OrderedStates();
        writer.Write(states.Count);
        foreach (var s in states)
        {
            writer.Write(s.Step);
            s.M.Save(writer);
            s.V.Save(writer);
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var states = OrderedStates();
        var count = reader.ReadInt32();
        if (count != states.Count)
        {
            throw new InvalidDataException($"The row-sparse optimizer state has {count} tables; this model has {states.Count}.");
        }

        for (var i = 0; i < states.Count; i++)
        {
            var s = states[i];
            s.Step = reader.ReadInt64();
            TensorFile.ReadTensorInto(reader.BaseStream, s.M, $"first moment of table {i}", checkFinite: true);
            TensorFile.ReadTensorInto(reader.BaseStream, s.V, $"second moment of table {i}", checkFinite: true);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var bank in _banks)
        {
            bank.RowSparseGradients = false;
            bank.ClearLookups();
        }

        foreach (var s in _state.Values)
        {
            s.M.Dispose();
            s.V.Dispose();
        }

        _adam.Dispose();
    }

    private List<TableState> OrderedStates() => _banks.SelectMany(b => b.Tables).Select(t => _state[t.Handle]).ToList();

    private sealed class TableState(Parameter table, Tensor m, Tensor v)
    {
        public Parameter Table { get; } = table;

        public Tensor M { get; } = m;

        public Tensor V { get; } = v;

        public long Step { get; set; }

        public bool Host { get; init; }
    }
}
