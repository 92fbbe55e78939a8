using STEM.Recommenders.Scaling;

namespace STEM.Recommenders.Tests.Scaling;

public class PowerLawInputTests
{
    [Fact]
    public void Too_few_points_are_rejected_naming_x()
    {
        var plain = () => ScalingLawFitter.FitPowerLaw([10.0], [1.0]);
        var saturating = () => ScalingLawFitter.FitSaturatingPowerLaw([10.0, 100.0], [2.0, 1.0]);

        plain.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x" && e.Message.Contains("At least 2"));
        saturating.Should().Throw<ArgumentException>().Where(e => e.ParamName == "x" && e.Message.Contains("At least 3"));
    }

    [Theory]
    [InlineData(0.0, 1.0, "x")]
    [InlineData(-5.0, 1.0, "x")]
    [InlineData(double.NaN, 1.0, "x")]
    [InlineData(10.0, 0.0, "loss")]
    [InlineData(10.0, -1.0, "loss")]
    [InlineData(10.0, double.NaN, "loss")]
    [InlineData(10.0, double.PositiveInfinity, "loss")]
    public void Non_positive_or_non_finite_values_are_rejected_naming_the_argument(double badX, double badLoss, string argument)
    {
        double[] x = [badX, 100, 1000];
        double[] loss = [badLoss, 2, 1];

        ((Action)(() => ScalingLawFitter.FitPowerLaw(x, loss))).Should().Throw<ArgumentException>().Where(e => e.ParamName == argument && e.Message.Contains("[0]"));
        ((Action)(() => ScalingLawFitter.FitSaturatingPowerLaw(x, loss))).Should().Throw<ArgumentException>().Where(e => e.ParamName == argument);
    }

    [Fact]
    public void Mismatched_lengths_and_equal_x_are_rejected()
    {
        ((Action)(() => ScalingLawFitter.FitPowerLaw([1.0, 2, 3], [1.0, 2]))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "loss");
        ((Action)(() => ScalingLawFitter.FitPowerLaw([5.0, 5, 5], [1.0, 2, 3]))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "x");
        ((Action)(() => ScalingLawFitter.FitSaturatingPowerLaw([5.0, 5, 5], [1.0, 2, 3]))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "x");
        ((Action)(() => ScalingLawFitter.FitPowerLaw([1.0, 10, 100], [2.0, 2, 2]))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "loss");
    }

    [Fact]
    public void Bootstrap_rejects_bad_options_naming_them()
    {
        var points = ScalingTestData.Seeds(0.3, 1e6, 0.01, seeds: 1);

        ((Action)(() => ScalingLawFitter.BootstrapAlpha(points, false, resamples: 5))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "resamples");
        ((Action)(() => ScalingLawFitter.BootstrapAlpha(points, false, level: 1.0))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "level");
        ((Action)(() => ScalingLawFitter.BootstrapAlpha([(1.0, 1.0, 0)], false))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "points");
        ((Action)(() => ScalingLawFitter.BootstrapAlpha([(1.0, 1.0, 0), (10, -1, 0)], false))).Should().Throw<ArgumentException>().Where(e => e.ParamName == "points");
    }
}
