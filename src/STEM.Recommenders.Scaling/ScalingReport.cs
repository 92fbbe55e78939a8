using STEM.Recommenders.EncodedData;
using System.Globalization;
using System.Text;

namespace STEM.Recommenders.Scaling;

/// <summary>Writes a scaling study as Markdown: runs, fits, frontier, batch × model verdict and plots.</summary>
public static class ScalingReport
{
    /// <summary>Renders the report.</summary>
    /// <param name="runs">All runs of the study, tabulated in series, axis and compute order.</param>
    /// <param name="fits">The fitted laws, with their α intervals where computed.</param>
    /// <param name="batchModel">The batch × model verdict, or null when the study has no such grid.</param>
    /// <param name="plots">Plots to embed; their images are linked relative to <paramref name="reportDirectory"/>.</param>
    /// <param name="reportDirectory">The folder the Markdown file will be written to; null links images by file name alone.</param>
    /// <param name="title">The top heading.</param>
    /// <returns>The Markdown text.</returns>
    public static string ToMarkdown(
        IReadOnlyList<ScalingRun> runs,
        IReadOnlyList<ScalingFitResult> fits,
        BatchModelVerdict? batchModel,
        IReadOnlyList<PlotDescription> plots,
        string? reportDirectory = null,
        string title = "Scaling study")
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(fits);
        ArgumentNullException.ThrowIfNull(plots);
        var ci = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.Append(ci, $"# {title}\n\n");
        md.Append(ci, $"{runs.Count} runs. Losses are held-out InfoNCE at one fixed evaluation batch size, so they compare across runs; C ≈ 6 · N · tokens.\n\n");

        md.Append("## Runs\n\n");
        md.Append("| name | series | axis | seed | N (non-emb.) | params | C (FLOPs) | users | B | T | width | layers | steps | loss | top-1 | top-10 |\n");
        md.Append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var r in runs.OrderBy(r => r.Series, StringComparer.Ordinal).ThenBy(r => r.Axis, StringComparer.Ordinal).ThenBy(r => r.Compute))
        {
            md.Append(ci, $"| {r.Name} | {r.Series} | {r.Axis} | {r.Seed} | {ScalingFormat.Count(r.NonEmbeddingParameters)} | {ScalingFormat.Count(r.Parameters)} | {ScalingFormat.Scientific(r.Compute)} | {ScalingFormat.Count(r.TrainingUsers)} | {r.BatchSize} | {r.SequenceLength} | {r.Width} | {r.Layers} | {r.Steps} | {r.Loss:0.####} | {r.Top1:0.###} | {r.Top10:0.###} |\n");
        }
        md.Append('\n');

        md.Append("## Fits\n\n");
        if (fits.Count == 0)
        {
            md.Append("No fits.\n\n");
        }
        else
        {
            md.Append("| fitted | law | α | interval for α | x0 | L∞ | R² (log) | RMSE | n |\n");
            md.Append("|---|---|---:|---|---:|---:|---:|---:|---:|\n");
            foreach (var f in fits)
            {
                var interval = f.Interval is { } i
                    ? string.Format(ci, "[{0:0.####}, {1:0.####}] ({2:0%}, {3} resamples{4})", i.Low, i.High, i.Level, i.Resamples, i.ByGroup ? ", by seed" : "")
                    : "—";
                var form = f.Fit.Saturating ? "L∞ + (x/x0)^−α" : "(x/x0)^−α";
                md.Append(ci, $"| {f.Label} | {form} | {f.Fit.Alpha:0.####} | {interval} | {ScalingFormat.Scientific(f.Fit.X0)} | {f.Fit.LInfinity:0.####} | {f.Fit.RSquared:0.####} | {f.Fit.Rmse:0.####} | {f.Fit.Count} |\n");
            }
            md.Append('\n');
        }

        md.Append("## Compute-efficient frontier\n\n");
        foreach (var series in runs.GroupBy(r => r.Series).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var frontier = ComputeFrontier.Of(series);
            var name = series.Key.Length == 0 ? "all runs" : series.Key;
            md.Append(ci, $"{name}: {frontier.Count} of {series.Count()} runs are on the frontier.\n\n");
            md.Append("| C (FLOPs) | run | N (non-emb.) | users | B | loss |\n|---:|---|---:|---:|---:|---:|\n");
            foreach (var r in frontier)
            {
                md.Append(ci, $"| {ScalingFormat.Scientific(r.Compute)} | {r.Name} | {ScalingFormat.Count(r.NonEmbeddingParameters)} | {ScalingFormat.Count(r.TrainingUsers)} | {r.BatchSize} | {r.Loss:0.####} |\n");
            }
            md.Append('\n');
        }

        if (batchModel is not null)
        {
            md.Append("## Batch size × model size\n\n");
            md.Append(batchModel.Summary).Append("\n\n");
            md.Append(ci, $"| N (non-emb.) | best B | loss at best B | loss at B = {batchModel.SmallestBatchSize} |\n|---:|---:|---:|---:|\n");
            foreach (var c in batchModel.Choices)
            {
                var atSmallest = c.LossAtSmallestBatch is { } l ? l.ToString("0.####", ci) : "—";
                md.Append(ci, $"| {ScalingFormat.Count(c.NonEmbeddingParameters)} | {c.BestBatchSize} | {c.Loss:0.####} | {atSmallest} |\n");
            }
            md.Append('\n');
        }

        if (plots.Count > 0)
        {
            md.Append("## Plots\n\n");
            foreach (var p in plots)
            {
                var link = reportDirectory is null ? Path.GetFileName(p.PngPath) : Path.GetRelativePath(reportDirectory, p.PngPath);
                // Markdown links use forward slashes on every platform.
                link = link.Replace('\\', '/');
                md.Append(ci, $"![{p.Name.Replace('-', ' ')}]({link})\n\n");
            }
        }
        return md.ToString();
    }
}
