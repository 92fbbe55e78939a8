using System.Xml.Linq;
using STEM.Recommenders.Scaling;

namespace STEM.Recommenders.Tests.Scaling;

public sealed class ScalingPlotsTests : IDisposable
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "stem-scaling-plots-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    internal static List<ScalingRun> ComputeRuns()
    {
        // Three model sizes, each trained for several budgets, from a known law plus a floor per size.
        var runs = new List<ScalingRun>();
        long[] sizes = [100_000, 400_000, 1_600_000];
        foreach (var n in sizes)
        {
            for (var k = 0; k < 5; k++)
            {
                var compute = 6.0 * n * 1e5 * Math.Pow(4, k);
                var loss = Math.Pow(compute / 1e5, -0.08) + 3.0e5 / n * 0.1;
                runs.Add(ScalingTestData.Run($"n{n}-c{k}", compute, loss, parameters: n, series: "synthetic"));
            }
        }
        return runs;
    }

    [Fact]
    public void Loss_vs_compute_writes_png_and_svg_and_describes_runs_frontier_and_fit()
    {
        var runs = ComputeRuns();
        var fit = ScalingLawFitter.FitPowerLaw(runs.Select(r => r.Compute).ToList(), runs.Select(r => r.Loss).ToList());
        var frontierCount = ComputeFrontier.Of(runs).Count;

        var plot = ScalingPlots.LossVersusCompute(runs, fit, _directory);

        plot.Name.Should().Be("loss-vs-compute");
        plot.PngPath.Should().Be(Path.Combine(_directory, "loss-vs-compute.png"));
        File.ReadAllBytes(plot.PngPath).Take(8).Should().Equal(PngSignature);
        XDocument.Load(plot.SvgPath).Root!.Name.LocalName.Should().Be("svg");
        plot.Title.Should().Contain("compute");
        plot.XLabel.Should().Be("compute (FLOPs)");
        plot.YLabel.Should().Be("held-out InfoNCE loss");
        plot.Series.Select(s => (s.Name, s.PointCount, s.Kind)).Should().Equal(
            ("runs (synthetic)", 15, "runs"),
            ("frontier (synthetic)", frontierCount, "frontier"),
            ($"fit: L = (C/{FormatX0(fit.X0)})^-{fit.Alpha:0.###}", 100, "fit"));
        frontierCount.Should().BeInRange(2, 14);
    }

    [Fact]
    public void Loss_vs_compute_draws_one_runs_and_frontier_series_per_data_series_and_no_fit_when_none_is_given()
    {
        var runs = ComputeRuns().Concat(ComputeRuns().Take(4).Select(r => r with { Name = r.Name + "-k", Series = "kuairand", Loss = r.Loss * 1.2 })).ToList();

        var plot = ScalingPlots.LossVersusCompute(runs, fit: null, _directory, name: "both");

        plot.Series.Select(s => s.Name).Should().Equal("runs (kuairand)", "frontier (kuairand)", "runs (synthetic)", "frontier (synthetic)");
        plot.Series[0].PointCount.Should().Be(4);
        plot.Series[2].PointCount.Should().Be(15);
        File.Exists(Path.Combine(_directory, "both.svg")).Should().BeTrue();
    }

    [Fact]
    public void Loss_vs_data_draws_one_series_per_model_size_in_increasing_order()
    {
        var runs = new List<ScalingRun>();
        foreach (var n in new long[] { 1_600_000, 100_000 })
        {
            foreach (var users in new long[] { 1_000, 10_000, 100_000, 1_000_000 })
            {
                runs.Add(ScalingTestData.Run($"n{n}-d{users}", 1e12, 5.0 - Math.Log10(users) * (n > 1e6 ? 0.4 : 0.3), parameters: n, users: users));
            }
        }
        runs.Add(ScalingTestData.Run("diverged", 1e12, double.NaN, parameters: 100_000, users: 5_000));

        var plot = ScalingPlots.LossVersus(runs, ScalingVariable.TrainingUsers, ScalingVariable.NonEmbeddingParameters, _directory);

        plot.Name.Should().Be("loss-vs-training-users");
        plot.XLabel.Should().Be("training users (log scale)");
        plot.Series.Select(s => (s.Name, s.PointCount)).Should().Equal(("N = 100k", 4), ("N = 1.6M", 4));
        File.ReadAllBytes(plot.PngPath).Take(8).Should().Equal(PngSignature);
        XDocument.Load(plot.SvgPath).Root!.Name.LocalName.Should().Be("svg");
    }

    [Fact]
    public void Loss_vs_batch_size_gets_its_default_file_name()
    {
        var runs = new[] { 32, 64, 128 }.Select(b => ScalingTestData.Run($"b{b}", 1e12, 3.0 - b / 1000.0, batch: b)).ToList();

        var plot = ScalingPlots.LossVersus(runs, ScalingVariable.BatchSize, ScalingVariable.NonEmbeddingParameters, _directory);

        plot.Name.Should().Be("loss-vs-batch-size");
        plot.Series.Should().ContainSingle().Which.PointCount.Should().Be(3);
    }

    [Fact]
    public void Plots_reject_runs_that_cannot_go_on_a_log_axis()
    {
        var zeroCompute = new[] { ScalingTestData.Run("zero", 0, 3.0) };
        var allNaN = new[] { ScalingTestData.Run("nan", 1e10, double.NaN) };

        ((Action)(() => ScalingPlots.LossVersusCompute(zeroCompute, null, _directory))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "runs" && e.Message.Contains("zero"));
        ((Action)(() => ScalingPlots.LossVersusCompute(allNaN, null, _directory))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "runs");
        ((Action)(() => ScalingPlots.LossVersusCompute(ComputeRuns(), null, " "))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "directory");
    }

    private static string FormatX0(double x0)
    {
        var exponent = (int)Math.Floor(Math.Log10(x0) + 1e-9);
        return exponent is >= -2 and <= 4
            ? x0.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)
            : (x0 / Math.Pow(10, exponent)).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "e" + exponent;
    }
}
