using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Scaling;

namespace STEM.Recommenders.Tests.Scaling;

public class ScalingReportTests
{
    [Fact]
    public void Report_holds_runs_fits_with_intervals_frontier_verdict_and_relative_image_links()
    {
        var runs = ScalingPlotsTests.ComputeRuns();
        var fit = ScalingLawFitter.FitPowerLaw(runs.Select(r => r.Compute).ToList(), runs.Select(r => r.Loss).ToList());
        var interval = new AlphaInterval(fit.Alpha, 0.07, 0.09, 0.95, 1000, ByGroup: false);
        var verdict = ComputeFrontier.BatchVersusModel(runs.Select((r, i) => r with { BatchSize = 32 << (i % 2) }));
        var directory = Path.Combine("out", "report");
        var plot = new PlotDescription("loss-vs-compute", "t", "x", "y", Path.Combine(directory, "loss-vs-compute.png"), Path.Combine(directory, "loss-vs-compute.svg"), []);
        var nested = plot with { Name = "loss-vs-batch-size", PngPath = Path.Combine(directory, "plots", "loss-vs-batch-size.png") };

        var md = ScalingReport.ToMarkdown(runs, [new ScalingFitResult("loss vs compute (synthetic)", fit, interval)], verdict, [plot, nested], directory, "CLUE scaling");

        md.Should().StartWith("# CLUE scaling\n");
        md.Should().Contain("| n100000-c0 | synthetic | compute | 0 | 100k |");
        md.Should().Contain($"| loss vs compute (synthetic) | (x/x0)^−α | {fit.Alpha.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)} | [0.07, 0.09] (95%, 1000 resamples) |");
        md.Should().Contain($"synthetic: {ComputeFrontier.Of(runs).Count} of 15 runs are on the frontier.");
        md.Should().Contain("## Batch size × model size").And.Contain(verdict.Summary);
        md.Should().Contain("![loss vs compute](loss-vs-compute.png)");
        md.Should().Contain("![loss vs batch size](plots/loss-vs-batch-size.png)");
    }

    [Fact]
    public void Report_without_fits_verdict_or_plots_says_so_and_omits_their_sections()
    {
        var md = ScalingReport.ToMarkdown([ScalingTestData.Run("a", 1e10, 3.0)], [], null, []);

        md.Should().Contain("No fits.");
        md.Should().NotContain("## Batch size").And.NotContain("## Plots").And.NotContain("![");
        md.Should().Contain("synthetic: 1 of 1 runs are on the frontier.");
    }
}
