using STEM.Recommenders.EncodedData;
using System.Globalization;

namespace STEM.Recommenders.Scaling;

/// <summary>The compute-efficient frontier of a study and the batch × model question.</summary>
public static class ComputeFrontier
{
    /// <summary>
    /// The lower envelope of loss against compute: runs, by increasing compute, whose loss is lower
    /// than that of every run with smaller or equal compute. Runs with a non-finite loss are left out.
    /// </summary>
    /// <param name="runs">The runs of one series.</param>
    /// <returns>The frontier runs, by increasing compute.</returns>
    public static IReadOnlyList<ScalingRun> Of(IEnumerable<ScalingRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var frontier = new List<ScalingRun>();
        var best = double.PositiveInfinity;
        // Ties in compute are ordered by loss, so of equal-compute runs only the best can qualify.
        foreach (var run in runs.Where(r => double.IsFinite(r.Loss)).OrderBy(r => r.Compute).ThenBy(r => r.Loss))
        {
            if (run.Loss < best)
            {
                frontier.Add(run);
                best = run.Loss;
            }
        }
        return frontier;
    }

    /// <summary>
    /// Reads a batch-size × model-size grid: for each model size (non-embedding parameters) the batch
    /// size with the lowest mean loss over seeds, whether that best batch grows with the model, and
    /// whether the biggest model beats the smallest at the smallest batch size.
    /// </summary>
    /// <param name="runs">The runs of the grid (typically those with axis <c>batch</c>).</param>
    /// <returns>The choices and the verdict.</returns>
    /// <exception cref="ArgumentException">The runs hold fewer than two model sizes.</exception>
    public static BatchModelVerdict BatchVersusModel(IEnumerable<ScalingRun> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        var finite = runs.Where(r => double.IsFinite(r.Loss)).ToList();
        var models = finite.GroupBy(r => r.NonEmbeddingParameters).OrderBy(g => g.Key).ToList();
        if (models.Count < 2)
        {
            throw new ArgumentException($"A batch × model grid needs at least two model sizes, got {models.Count}.", nameof(runs));
        }
        var smallestBatch = finite.Min(r => r.BatchSize);
        var choices = models.Select(model =>
        {
            // Seeds are averaged per cell so that one lucky seed does not pick the batch size.
            var cells = model.GroupBy(r => r.BatchSize).Select(c => (Batch: c.Key, Loss: c.Average(r => r.Loss))).OrderBy(c => c.Batch).ToList();
            var best = cells.MinBy(c => c.Loss);
            double? atSmallest = cells.Where(c => c.Batch == smallestBatch).Select(c => (double?)c.Loss).FirstOrDefault();
            return new BatchModelChoice(model.Key, best.Batch, best.Loss, atSmallest);
        }).ToList();

        var grows = choices.Zip(choices.Skip(1)).All(p => p.Second.BestBatchSize >= p.First.BestBatchSize);
        var (small, big) = (choices[0], choices[^1]);
        bool? bigHelps = small.LossAtSmallestBatch is { } s && big.LossAtSmallestBatch is { } b ? b < s : null;

        var ci = CultureInfo.InvariantCulture;
        var bestList = string.Join(", ", choices.Select(c => string.Format(ci, "N={0} → B={1}", ScalingFormat.Count(c.NonEmbeddingParameters), c.BestBatchSize)));
        var growth = grows ? "the best batch size does not shrink as the model grows" : "the best batch size does not grow with the model";
        var smallestBatchText = bigHelps switch
        {
            true => string.Format(ci, "at the smallest batch (B={0}) the biggest model still beats the smallest ({1:0.####} vs {2:0.####})", smallestBatch, big.LossAtSmallestBatch, small.LossAtSmallestBatch),
            false => string.Format(ci, "at the smallest batch (B={0}) the biggest model does not beat the smallest ({1:0.####} vs {2:0.####})", smallestBatch, big.LossAtSmallestBatch, small.LossAtSmallestBatch),
            null => string.Format(ci, "the smallest and biggest models were not both run at the smallest batch (B={0})", smallestBatch),
        };
        var together = grows && bigHelps == false ? "Batch and model size must grow together" : grows ? "Bigger models prefer bigger batches" : "No sign that batch and model size must grow together";
        var summary = $"{together}: {growth} ({bestList}); {smallestBatchText}.";
        return new BatchModelVerdict(choices, smallestBatch, grows, bigHelps, summary);
    }
}
