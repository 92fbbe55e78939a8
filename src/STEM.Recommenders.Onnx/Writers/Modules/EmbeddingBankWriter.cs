using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Onnx.Graph;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Writers.Modules;

/// <summary>
/// The embedding bank: the wide table (T+1 views per row) and the shared-only table are gathered with
/// the layout's global ids, weighted by the slot weights, pooled per field (a constant slot→field
/// matrix, so a multi-valued field's slots sum into one vector), and laid out as [T+1, B, F·d] as
/// EmbeddingBank.forward does. Host placement and row-sparse gradients do not change the values.
/// </summary>
internal sealed class EmbeddingBankWriter : IOnnxModuleWriter
{
    public Type ModuleType => typeof(EmbeddingBank);

    public IReadOnlyList<string> Write(OnnxGraph graph, nn.Module torchModule, string path, IReadOnlyList<string> inputs)
    {
        var bank = (EmbeddingBank)torchModule;
        var layout = bank.Layout;
        var ids = inputs[0];
        var weights = inputs.Count > 1 ? inputs[1] : null;
        var views = bank.ViewCount;
        var d = bank.Dim;
        var wideFields = bank.WideFields;
        var wideSlots = layout.Fields.Take(wideFields).Sum(f => f.SlotCount);
        var slots = layout.SlotCount;
        var parts = new List<string>();
        if (bank.TaskSpecificTable is { } wideTable)
        {
            var e = Lookup(graph, graph.Weight($"{path}.task_table", wideTable), Slots(graph, ids, 0, wideSlots, slots)!, Slots(graph, weights, 0, wideSlots, slots), layout, 0, wideSlots, wideFields);
            var split = graph.Op("Reshape", e, graph.Longs(0, wideFields, views, d));
            parts.Add(graph.Op("Transpose", [split], new Dictionary<string, object> { ["perm"] = new long[] { 2, 0, 1, 3 } }));
        }

        if (bank.SharedTable is { } sharedTable)
        {
            var shifted = Slots(graph, ids, wideSlots, slots, slots)!;
            if (wideSlots > 0)
            {
                shifted = graph.Op("Sub", shifted, graph.Scalar(layout.TaskSpecificRows));
            }

            var e = Lookup(graph, graph.Weight($"{path}.shared_table", sharedTable), shifted, Slots(graph, weights, wideSlots, slots, slots), layout, wideSlots, slots, layout.FieldCount - wideFields);
            var one = graph.Op("Unsqueeze", e, graph.Longs(0));
            parts.Add(graph.Op("Expand", one, graph.Longs(views, 1, 1, 1)));
        }

        var all = parts.Count == 1 ? parts[0] : graph.Op("Concat", parts, new Dictionary<string, object> { ["axis"] = 2L });
        return [graph.Op("Reshape", all, graph.Longs(0, 0, layout.FieldCount * d))];
    }

    private static string? Slots(OnnxGraph graph, string? x, int start, int end, int total) =>
        x is null ? null : start == 0 && end == total ? x : graph.Op("Slice", x, graph.Longs(start), graph.Longs(end), graph.Longs(1));

    /// <summary>[B, slots] ids → [B, fields, width]: gathered rows, weighted, summed per field.</summary>
    private static string Lookup(OnnxGraph graph, string table, string ids, string? weights, FeatureLayout layout, int firstSlot, int endSlot, int fields)
    {
        var e = graph.Op("Gather", [table, ids], new Dictionary<string, object> { ["axis"] = 0L });
        if (weights is not null)
        {
            e = graph.Op("Mul", e, graph.Op("Unsqueeze", weights, graph.Longs(-1)));
        }

        var count = endSlot - firstSlot;
        if (count == fields)
        {
            return e;
        }

        // [fields, slots] of 0/1: field f sums its own slots (the index_add of EmbeddingBank.Pool).
        var firstField = layout.SlotToField[firstSlot];
        var pool = new float[fields * count];
        for (var s = 0; s < count; s++)
        {
            pool[((layout.SlotToField[firstSlot + s] - firstField) * count) + s] = 1f;
        }

        return graph.Op("MatMul", graph.Constant(pool, fields, count), e);
    }
}
