using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks.Micro;

/// <summary>
/// A feature layout shaped like the KuaiRand preset's on the shared KuaiRand-Pure week (36 fields,
/// 39 slots — tag has 4 — and 23,843 embedding rows, every field with task-specific embeddings), built
/// without reading data. The vocabulary sizes are those printed by <c>data --print-layout</c>.
/// </summary>
internal static class KuaiRandLayout
{
    /// <summary>Tasks of the preset.</summary>
    public static IReadOnlyList<string> Tasks { get; } = ["is_click", "long_view", "is_like"];

    /// <summary>Positive rates used for random labels (roughly KuaiRand's).</summary>
    private static readonly double[] PositiveRates = [0.35, 0.25, 0.02];

    private static readonly (string Name, long Rows, int Slots)[] Fields =
    [
        ("user_id", 13_792, 1), ("video_id", 4_208, 1), ("tab", 16, 1), ("hour", 25, 1),
        ("user_active_degree", 10, 1), ("is_lowactive_period", 2, 1), ("is_live_streamer", 3, 1), ("is_video_author", 3, 1),
        ("follow_user_num_range", 9, 1), ("fans_user_num_range", 10, 1), ("friend_user_num_range", 8, 1), ("register_days_range", 9, 1),
        ("onehot_feat0", 3, 1), ("onehot_feat1", 8, 1), ("onehot_feat2", 45, 1), ("onehot_feat3", 1_142, 1),
        ("onehot_feat4", 16, 1), ("onehot_feat5", 24, 1), ("onehot_feat6", 4, 1), ("onehot_feat7", 87, 1),
        ("onehot_feat8", 418, 1), ("onehot_feat9", 8, 1), ("onehot_feat10", 6, 1), ("onehot_feat11", 5, 1),
        ("onehot_feat12", 3, 1), ("onehot_feat13", 3, 1), ("onehot_feat14", 3, 1), ("onehot_feat15", 3, 1),
        ("onehot_feat16", 3, 1), ("onehot_feat17", 3, 1),
        ("author_id", 3_884, 1), ("video_type", 4, 1), ("upload_type", 12, 1), ("music_type", 6, 1),
        ("tag", 48, 4), ("duration_bucket", 10, 1),
    ];

    /// <summary>The layout.</summary>
    public static FeatureLayout Create() => new(Fields.Select(f => (f.Name, f.Rows, f.Slots, true)));

    /// <summary>
    /// A random batch: uniform ids within each field, slot weights 1 except the multi-valued field's
    /// (two tags mean-pooled: 0.5, 0.5, then padding at 0), and Bernoulli labels. The tensors are
    /// detached from any dispose scope; the caller disposes them.
    /// </summary>
    public static (FeatureBatch Features, Tensor Labels) RandomBatch(FeatureLayout layout, int rows, long seed)
    {
        ArgumentNullException.ThrowIfNull(layout);
        using var generator = new Generator((ulong)seed);
        using var scope = NewDisposeScope();
        var columns = new Tensor[layout.SlotCount];
        var weights = new float[layout.SlotCount];
        foreach (var field in layout.Fields)
        {
            for (var s = 0; s < field.SlotCount; s++)
            {
                columns[field.FirstSlot + s] = randint(field.Offset, field.Offset + field.Rows, [rows], dtype: ScalarType.Int64, generator: generator);
                weights[field.FirstSlot + s] = field.SlotCount == 1 ? 1f : s < 2 ? 0.5f : 0f;
            }
        }

        var ids = stack(columns, 1);
        var slotWeights = tensor(weights).unsqueeze(0).expand(rows, -1).contiguous();
        var labels = (rand([rows, PositiveRates.Length], generator: generator) < tensor(PositiveRates, dtype: ScalarType.Float32)).to(ScalarType.Float32);
        return (new FeatureBatch(ids.DetachFromDisposeScope(), slotWeights.DetachFromDisposeScope()), labels.DetachFromDisposeScope());
    }
}
