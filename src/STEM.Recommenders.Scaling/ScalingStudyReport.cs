namespace STEM.Recommenders.Scaling;

/// <summary>What <see cref="ScalingStudyReport.Write"/> produced.</summary>
/// <param name="Fits">The fitted laws with their bootstrap intervals.</param>
/// <param name="BatchModel">Whether batch and model size must grow together, from the batch grid.</param>
/// <param name="Plots">The pictures (PNG and SVG).</param>
/// <param name="ReportPath">The Markdown report.</param>
/// <param name="RunsPath">Every run as JSON.</param>
public sealed record ScalingStudyOutcome(IReadOnlyList<ScalingFitResult> Fits, BatchModelVerdict? BatchModel, IReadOnlyList<PlotDescription> Plots, string ReportPath, string RunsPath);

/// <summary>Fits, plots and writes the report of a scaling study's runs.</summary>
public static class ScalingStudyReport
{
    /// <summary>
    /// Fits L = (C/C0)^-α and L = L∞ + (C/C0)^-α to loss against compute (the real series'
    /// compute and parameter grids), against training users (each series' data grid) and against
    /// non-embedding parameters, with bootstrap intervals over seeds; draws loss against compute,
    /// data, parameters, batch size and sequence length; writes <c>runs.json</c> and
    /// <c>report.md</c> into <paramref name="directory"/>.
    /// </summary>
    public static ScalingStudyOutcome Write(IReadOnlyList<ScalingRun> runs, string directory, string title = "CLUE scaling study")
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(directory);
        Directory.CreateDirectory(directory);
        var fits = new List<ScalingFitResult>();
        var plots = new List<PlotDescription>();

        var real = runs.Where(r => r.Series != "synthetic").ToArray();
        var computeRuns = real.Where(r => r.Axis is "compute" or "parameters").ToArray();
        PowerLawFit? computeFit = null;
        // Loss against compute is fitted on the compute-efficient frontier (the lowest loss reached at
        // each compute, across steps and model sizes), as Kaplan et al. do: in a data-limited regime a
        // longer run can overfit, and a point above the frontier says how not to spend compute, not how
        // loss scales with it.
        var frontier = ComputeFrontier.Of(Averaged(computeRuns)).Select(r => r with { Seed = 0 }).ToArray();
        if (frontier.Length >= 3)
        {
            computeFit = FitBoth(fits, $"loss vs compute (real; frontier of the compute and parameter grids, {frontier.Length} points)", frontier, r => r.Compute);
        }

        foreach (var series in runs.Where(r => r.Axis == "data").GroupBy(r => r.Series))
        {
            if (series.Select(r => r.TrainingUsers).Distinct().Count() >= 3)
            {
                FitBoth(fits, $"loss vs training users ({series.Key}{(series.Key == "synthetic" ? ", generated data" : string.Empty)})", series.ToArray(), r => r.TrainingUsers);
            }
        }

        var parameterRuns = real.Where(r => r.Axis == "parameters").ToArray();
        if (parameterRuns.Select(r => r.NonEmbeddingParameters).Distinct().Count() >= 3)
        {
            FitBoth(fits, "loss vs non-embedding parameters (real)", parameterRuns, r => r.NonEmbeddingParameters);
        }

        plots.Add(ScalingPlots.LossVersusCompute(Averaged(computeRuns.Length > 0 ? computeRuns : runs), computeFit, directory));
        foreach (var series in runs.Where(r => r.Axis == "data").GroupBy(r => r.Series))
        {
            // One picture per series: generated data is never drawn as if it were the real log.
            var label = series.Key == "synthetic" ? "SYNTHETIC (generated) users" : $"{series.Key} users";
            plots.Add(ScalingPlots.LossVersus(Averaged(series), ScalingVariable.TrainingUsers, ScalingVariable.NonEmbeddingParameters, directory, $"loss-vs-data-{series.Key}", $"Loss vs training users: {label}"));
        }

        if (parameterRuns.Length > 0)
        {
            plots.Add(ScalingPlots.LossVersus(Averaged(parameterRuns), ScalingVariable.NonEmbeddingParameters, ScalingVariable.SequenceLength, directory, "loss-vs-parameters"));
        }

        var batchRuns = real.Where(r => r.Axis == "batch").ToArray();
        BatchModelVerdict? verdict = null;
        if (batchRuns.Length > 0)
        {
            plots.Add(ScalingPlots.LossVersus(Averaged(batchRuns), ScalingVariable.BatchSize, ScalingVariable.NonEmbeddingParameters, directory, "loss-vs-batch"));
            // The verdict needs two model sizes; a batch grid of one size still gets its picture.
            if (batchRuns.Select(r => r.NonEmbeddingParameters).Distinct().Count() >= 2)
            {
                verdict = ComputeFrontier.BatchVersusModel(Averaged(batchRuns));
            }
        }

        var sequenceRuns = real.Where(r => r.Axis == "sequence").ToArray();
        if (sequenceRuns.Length > 0)
        {
            plots.Add(ScalingPlots.LossVersus(Averaged(sequenceRuns), ScalingVariable.SequenceLength, ScalingVariable.NonEmbeddingParameters, directory, "loss-vs-sequence-length"));
        }

        var runsPath = Path.Combine(directory, "runs.json");
        ScalingRuns.Save(runsPath, runs);
        var reportPath = Path.Combine(directory, "report.md");
        File.WriteAllText(reportPath, ScalingReport.ToMarkdown(runs, fits, verdict, plots, directory, title));
        return new ScalingStudyOutcome(fits, verdict, plots, reportPath, runsPath);
    }

    /// <summary>Fits and records both forms with their bootstrap intervals; returns the one with the lower RMSE, for the picture.</summary>
    private static PowerLawFit FitBoth(List<ScalingFitResult> fits, string label, IReadOnlyList<ScalingRun> runs, Func<ScalingRun, double> x)
    {
        var points = runs.Select(r => (X: x(r), r.Loss, r.Seed)).ToArray();
        var pure = ScalingLawFitter.FitPowerLaw(points.Select(p => p.X).ToArray(), points.Select(p => p.Loss).ToArray());
        fits.Add(new ScalingFitResult(label + ", L = (x/x0)^-α", pure, ScalingLawFitter.BootstrapAlpha(points, saturating: false)));
        if (points.Length >= 4)
        {
            try
            {
                var saturating = ScalingLawFitter.FitSaturatingPowerLaw(points.Select(p => p.X).ToArray(), points.Select(p => p.Loss).ToArray());
                fits.Add(new ScalingFitResult(label + ", L = L∞ + (x/x0)^-α", saturating, ScalingLawFitter.BootstrapAlpha(points, saturating: true)));

                // The picture shows the form that fits better (a data-limited frontier bends to a floor).
                return saturating.Rmse < pure.Rmse ? saturating : pure;
            }
            catch (ArgumentException)
            {
                // Too few distinct points for three parameters: the pure power law stands alone.
            }
        }

        return pure;
    }

    /// <summary>The mean loss over seeds of each configuration (plots draw one point per configuration).</summary>
    private static ScalingRun[] Averaged(IEnumerable<ScalingRun> runs) =>
        runs.GroupBy(r => (r.Series, r.Axis, r.Width, r.Layers, r.BatchSize, r.SequenceLength, r.TrainingUsers, r.Steps))
            .Select(g => g.First() with
            {
                Loss = g.Average(r => r.Loss),
                Compute = g.Average(r => r.Compute),
                Top1 = g.Average(r => r.Top1),
                Top10 = g.Average(r => r.Top10),
                WallSeconds = g.Average(r => r.WallSeconds),
            })
            .ToArray();
}
