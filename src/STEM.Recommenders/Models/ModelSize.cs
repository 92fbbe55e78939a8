using System.Globalization;
using STEM.Recommenders.EncodedData;
using TorchSharp;

namespace STEM.Recommenders.Models;

/// <summary>
/// Estimates a model's parameters before it is built, and refuses one whose float32 weights alone
/// would not fit in the memory available (<see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/>): an
/// absurd size otherwise reaches LibTorch and comes back as a native "internal error" or an
/// OutOfMemoryException. The embedding tables, which grow with the data, are bounded first from the
/// layout alone (every task-specific field with one view per task plus the shared one); the dense
/// layers, which the options bound (<see cref="SizeLimits"/>), are counted exactly on a probe of the
/// model built over a one-row-per-field layout, with the global random state restored afterwards
/// so that the real model's initial weights are those it would have had without the probe.
/// </summary>
internal static class ModelSize
{
    /// <summary>Replaces the available memory in tests.</summary>
    internal static long? AvailableBytesOverride { get; set; }

    private static long AvailableBytes => AvailableBytesOverride ?? GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <exception cref="ArgumentException">The model would not fit; the message gives the estimate and the option to lower.</exception>
    public static void Check(string model, FeatureLayout layout, IReadOnlyList<string> taskNames, ModelOptions options, Func<FeatureLayout, IMultiTaskModel> build)
    {
        var dim = (double)options.EmbeddingDim;
        var embeddingBound = (layout.TaskSpecificRows * (taskNames.Count + 1.0) * dim) + ((layout.TotalRows - layout.TaskSpecificRows) * dim);
        Refuse(model, layout, options, embeddingBound, dense: 0, exact: false);

        var probeLayout = new FeatureLayout(layout.Fields.Select(f => (f.Name, 1L, f.SlotCount, f.TaskSpecific)));
        double embeddings = 0, dense;
        using (var state = torch.get_rng_state())
        {
            try
            {
                using var probe = build(probeLayout);
                var total = probe.TorchModule.parameters().Sum(p => (double)p.numel());
                var probeTables = 0.0;
                foreach (var bank in probe.EmbeddingBanks)
                {
                    probeTables += bank.Tables.Sum(t => (double)t.numel());
                    embeddings += ((bank.TaskSpecificTable?.shape[1] ?? 0) * (double)(bank.TaskViews == 0 ? 0 : layout.TaskSpecificRows))
                        + (bank.Dim * (double)(layout.TotalRows - (bank.TaskViews == 0 ? 0 : layout.TaskSpecificRows)));
                }

                dense = total - probeTables;
            }
            finally
            {
                torch.set_rng_state(state);
            }
        }

        Refuse(model, layout, options, embeddings, dense, exact: true);
    }

    private static void Refuse(string model, FeatureLayout layout, ModelOptions options, double embeddings, double dense, bool exact)
    {
        var bytes = (embeddings + dense) * sizeof(float);
        var available = AvailableBytes;
        if (bytes <= available)
        {
            return;
        }

        static string N(double v) => v.ToString("N0", CultureInfo.InvariantCulture);
        var embeddingsDominate = embeddings >= dense;
        var what = embeddingsDominate
            ? $"embeddingDim {options.EmbeddingDim} over {N(layout.TotalRows)} vocabulary rows (lower embeddingDim, hash buckets, or the vocabularies with a higher minCount)"
            : "the layer widths and expert counts of the options";
        throw new ArgumentException(
            $"{model} would have {(exact ? string.Empty : "at least ")}{N(embeddings + dense)} parameters ({N(embeddings)} in embedding tables, {N(dense)} in dense layers): {N(bytes)} bytes of float32 weights, more than the {N(available)} bytes of memory available; the size comes from {what}.",
            embeddingsDominate ? nameof(ModelOptions.EmbeddingDim) : null);
    }
}
