using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Evaluation.Reports;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Evaluation;

public class ReliabilityAccumulatorTests
{
    [Fact]
    public void Equal_mass_bins_have_the_known_means_rates_and_expected_calibration_error()
    {
        var accumulator = new ReliabilityAccumulator(["a"]);
        foreach (var (p, y) in new[] { (0.1f, 0f), (0.2f, 0f), (0.3f, 1f), (0.4f, 1f) })
        {
            accumulator.Add(0, p, y);
        }

        var calibration = accumulator.Compute(bins: 2).Single();

        calibration.Count.Should().Be(4);
        calibration.Bins.Select(b => b.Count).Should().Equal(2, 2);
        calibration.Bins[0].MeanPredicted.Should().BeApproximately(0.15, 1e-7);
        calibration.Bins[0].ObservedRate.Should().Be(0);
        calibration.Bins[1].MeanPredicted.Should().BeApproximately(0.35, 1e-7);
        calibration.Bins[1].ObservedRate.Should().Be(1);
        // ECE = ½ · |0.15 − 0| + ½ · |0.35 − 1|.
        calibration.ExpectedCalibrationError.Should().BeApproximately(0.4, 1e-7);
        calibration.Bins[0].Lower.Should().Be(0);
        calibration.Bins[0].Upper.Should().BeGreaterThan(0.2).And.BeLessThanOrEqualTo(0.3);
        calibration.Bins[1].Lower.Should().Be(calibration.Bins[0].Upper);
        calibration.Bins[1].Upper.Should().Be(1);
    }

    [Fact]
    public void Ten_bins_over_uniform_low_predictions_each_hold_a_tenth_of_the_rows()
    {
        // 10,000 rows predicted between 0 and 2 %: equal-width bins over [0, 1] would put them all in one.
        var accumulator = new ReliabilityAccumulator(["like"]);
        for (var r = 0; r < 10_000; r++)
        {
            accumulator.Add(0, 0.02f * (r + 0.5f) / 10_000, r % 50 == 0 ? 1 : 0);
        }

        var bins = accumulator.Compute().Single().Bins;

        bins.Should().HaveCount(10);
        bins.Sum(b => b.Count).Should().Be(10_000);
        bins.Should().OnlyContain(b => b.Count >= 950 && b.Count <= 1_050);
        bins.Select(b => b.MeanPredicted).Should().BeInAscendingOrder();
        bins[^1].MeanPredicted.Should().BeApproximately(0.019, 0.0005);
    }

    [Fact]
    public void A_constant_prediction_makes_one_bin_and_a_perfectly_calibrated_one_no_error()
    {
        var accumulator = new ReliabilityAccumulator(["a"]);
        for (var r = 0; r < 100; r++)
        {
            accumulator.Add(0, 0.25f, r % 4 == 0 ? 1 : 0);
        }

        var calibration = accumulator.Compute().Single();

        calibration.Bins.Should().ContainSingle().Which.Count.Should().Be(100);
        calibration.ExpectedCalibrationError.Should().BeApproximately(0, 1e-7);
    }

    [Fact]
    public void Batches_skip_masked_labels_and_merging_equals_one_pass_over_all_rows()
    {
        using var scope = NewDisposeScope();
        var probabilities = tensor(new float[] { 0.1f, 0.9f, 0.2f, 0.8f, 0.7f, 0.3f }).reshape(3, 2);
        var labels = tensor(new float[] { 0, 1, 1, 1, 1, 0 }).reshape(3, 2);
        var mask = tensor(new float[] { 1, 1, 1, 0, 1, 1 }).reshape(3, 2);
        var whole = new ReliabilityAccumulator(["a", "b"]);
        whole.Update(probabilities, labels, mask);
        var first = new ReliabilityAccumulator(["a", "b"]);
        first.Update(probabilities.narrow(0, 0, 1), labels.narrow(0, 0, 1), mask.narrow(0, 0, 1));
        var rest = new ReliabilityAccumulator(["a", "b"]);
        rest.Update(probabilities.narrow(0, 1, 2), labels.narrow(0, 1, 2), mask.narrow(0, 1, 2));

        first.Merge(rest);

        var calibration = whole.Compute();
        calibration.Select(c => c.Count).Should().Equal(3, 2);
        ReportJson.Serialize(first.Compute()).Should().Be(ReportJson.Serialize(calibration));
        FluentActions.Invoking(() => first.Merge(new ReliabilityAccumulator(["a"]))).Should().Throw<ArgumentException>().WithMessage("*tasks a into a, b*");
    }

    [Fact]
    public void A_non_finite_prediction_is_refused_naming_the_task()
    {
        var accumulator = new ReliabilityAccumulator(["click"]);

        FluentActions.Invoking(() => accumulator.Add(0, float.NaN, 1)).Should().Throw<InvalidDataException>().WithMessage("*task 'click'*");
    }
}
