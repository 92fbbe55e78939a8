using STEM.Recommenders.Scaling;

namespace STEM.Recommenders.Tests.Scaling;

public class ScalingBootstrapTests
{
    [Theory]
    [InlineData(0.076)]
    [InlineData(0.35)]
    public void Point_bootstrap_interval_contains_the_true_exponent_and_narrows_with_less_noise(double alpha)
    {
        var noisy = ScalingTestData.Seeds(alpha, 1e10, noise: 0.02, seeds: 1, points: 40);
        var quiet = ScalingTestData.Seeds(alpha, 1e10, noise: 0.005, seeds: 1, points: 40);

        var wide = ScalingLawFitter.BootstrapAlpha(noisy, saturating: false, resamples: 500);
        var narrow = ScalingLawFitter.BootstrapAlpha(quiet, saturating: false, resamples: 500);

        wide.ByGroup.Should().BeFalse();
        wide.Contains(alpha).Should().BeTrue($"[{wide.Low}, {wide.High}] should contain {alpha}");
        narrow.Contains(alpha).Should().BeTrue($"[{narrow.Low}, {narrow.High}] should contain {alpha}");
        narrow.Width.Should().BeLessThan(wide.Width / 2);
        wide.Low.Should().BeLessThan(wide.Estimate);
        wide.High.Should().BeGreaterThan(wide.Estimate);
        wide.Level.Should().Be(0.95);
        wide.Resamples.Should().Be(500);
    }

    [Fact]
    public void Several_seeds_are_resampled_as_groups()
    {
        var points = ScalingTestData.Seeds(0.2, 1e9, noise: 0.01, seeds: 5, points: 10);

        var interval = ScalingLawFitter.BootstrapAlpha(points, saturating: false, resamples: 300);

        interval.ByGroup.Should().BeTrue();
        interval.Contains(0.2).Should().BeTrue();
        interval.Estimate.Should().BeApproximately(0.2, 0.01);
    }

    [Fact]
    public void Saturating_bootstrap_contains_the_true_exponent_and_is_reproducible()
    {
        var (x, loss) = ScalingTestData.Curve(0.35, 7.2e5, 1.0, noise: 0.01, seed: 3, points: 60);
        var points = x.Zip(loss, (a, b) => (a, b, 0)).ToList();

        var first = ScalingLawFitter.BootstrapAlpha(points, saturating: true, resamples: 200, seed: 7);
        var again = ScalingLawFitter.BootstrapAlpha(points, saturating: true, resamples: 200, seed: 7);

        first.Contains(0.35).Should().BeTrue($"[{first.Low}, {first.High}] should contain 0.35");
        first.Width.Should().BeLessThan(0.1);
        first.Estimate.Should().BeApproximately(0.35, 0.02 * 0.35);
        again.Should().Be(first);
    }
}
