using STEM.Recommenders.Evaluation;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Evaluation;

/// <summary>
/// Metric edge cases that the mutation run (docs/testing.md) showed untested: the 0.5 label and mask
/// thresholds, runs of ties at either end, mismatched lengths, empty inputs, the clip bounds, group 0.
/// </summary>
public class MetricEdgeCaseTests
{
    [Fact]
    public void Auc_averages_the_ranks_of_tie_runs_at_the_start_the_middle_and_the_end()
    {
        // Ranks: 0.1 0.1 | 0.5 | 0.9 0.9 → 1.5 1.5 3 4.5 4.5. Positives at one 0.1 and one 0.9 and the
        // 0.5: rank sum 1.5 + 3 + 4.5 = 9; AUC = (9 − 3·4/2) / (3·2) = 0.5.
        AucMetric.Compute([0.1f, 0.9f, 0.5f, 0.1f, 0.9f], [1, 1, 1, 0, 0]).Should().Be(0.5);

        // A positive tied with a negative in the middle: negatives 0.1, 0.2; positives 0.2, 0.3 → (1 + 0.5 + 1 + 1) / 4.
        AucMetric.Compute([0.2f, 0.1f, 0.3f, 0.2f], [1, 0, 1, 0]).Should().Be(0.875);

        // Unsorted input, no ties: the positive above both negatives, then between them.
        AucMetric.Compute([0.3f, 0.1f, 0.2f], [1, 0, 0]).Should().Be(1.0);
        AucMetric.Compute([0.15f, 0.1f, 0.2f], [1, 0, 0]).Should().Be(0.5);
    }

    [Fact]
    public void A_label_of_exactly_one_half_is_negative_and_above_it_positive()
    {
        AucMetric.Compute([0.9f, 0.1f], [0.5f, 1f]).Should().Be(0.0, "0.5 is not above 0.5");
        AucMetric.Compute([0.9f, 0.1f], [0.51f, 0f]).Should().Be(1.0);
        LogLossMetric.Compute([0.25f], [0.5f]).Should().BeApproximately(-Math.Log(0.75), 1e-7);
        LogLossMetric.Compute([0.25f], [0.51f]).Should().BeApproximately(-Math.Log(0.25), 1e-7);
    }

    [Fact]
    public void Auc_is_undefined_without_negatives_without_positives_and_without_samples()
    {
        double.IsNaN(AucMetric.Compute([0.1f, 0.2f], [0, 0])).Should().BeTrue();
        double.IsNaN(AucMetric.Compute([0.1f, 0.2f], [1, 1])).Should().BeTrue();
        double.IsNaN(AucMetric.Compute([], [])).Should().BeTrue();
        double.IsNaN(AucMetric.Compute([0.3f], [1])).Should().BeTrue();
    }

    [Fact]
    public void Every_metric_refuses_inputs_of_different_lengths()
    {
        FluentActions.Invoking(() => AucMetric.Compute([0.1f], [1, 0])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => LogLossMetric.Compute([0.1f, 0.2f], [1])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => CalibrationMetric.Compute([0.1f], [])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => GroupAucMetric.Compute([0.1f, 0.2f], [1], [0, 0])).Should().Throw<ArgumentException>();
        FluentActions.Invoking(() => GroupAucMetric.Compute([0.1f, 0.2f], [1, 0], [0])).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Log_loss_clips_both_ends_with_the_given_eps_and_is_undefined_for_no_samples()
    {
        double.IsNaN(LogLossMetric.Compute([], [])).Should().BeTrue();
        LogLossMetric.Compute([0f], [1], eps: 0.01).Should().BeApproximately(-Math.Log(0.01), 1e-9);
        LogLossMetric.Compute([1f], [0], eps: 0.01).Should().BeApproximately(-Math.Log(0.01), 1e-9);
        LogLossMetric.Compute([1f], [1], eps: 0.01).Should().BeApproximately(-Math.Log(0.99), 1e-9);
        LogLossMetric.Compute([0f], [0], eps: 0.01).Should().BeApproximately(-Math.Log(0.99), 1e-9);

        // The mean, not the sum: two identical rows give the loss of one.
        LogLossMetric.Compute([0.8f, 0.8f], [1, 1]).Should().BeApproximately(-Math.Log(0.8), 1e-6);
    }

    [Fact]
    public void Calibration_is_the_ratio_of_sums_and_undefined_without_positives()
    {
        double.IsNaN(CalibrationMetric.Compute([0.3f, 0.4f], [0, 0])).Should().BeTrue();
        CalibrationMetric.Compute([0.5f, 0.7f], [1, 1]).Should().BeApproximately(0.6, 1e-6);
        double.IsNaN(CalibrationMetric.Compute([], [])).Should().BeTrue();
    }

    [Fact]
    public void Group_auc_keeps_group_zero_skips_negative_groups_and_is_undefined_without_two_class_groups()
    {
        // Only group 0 has both classes (AUC 0); group −1 would make it 1 if it were counted.
        GroupAucMetric.Compute([0.1f, 0.9f, 0.9f, 0.1f], [1, 0, 1, 0], [0, 0, -1, -1]).Should().Be(0.0);
        double.IsNaN(GroupAucMetric.Compute([0.1f, 0.9f], [1, 1], [3, 3])).Should().BeTrue();
        double.IsNaN(GroupAucMetric.Compute([0.1f, 0.9f], [1, 0], [-1, -2])).Should().BeTrue();

        // Weighted by group size: 4 rows at AUC 1 and 2 rows at AUC 0 → 4/6.
        GroupAucMetric.Compute(
            [0.9f, 0.8f, 0.2f, 0.1f, 0.1f, 0.9f],
            [1, 1, 0, 0, 1, 0],
            [7, 7, 7, 7, 2, 2]).Should().BeApproximately(4.0 / 6, 1e-12);
    }

    [Fact]
    public void Accumulator_keeps_groups_counts_positives_and_a_mask_of_one_half_as_observed()
    {
        using var scope = NewDisposeScope();
        var accumulator = new MetricAccumulator(["a", "b"]);
        accumulator.Update(
            tensor(new float[,] { { 0.9f, 0.2f }, { 0.1f, 0.7f }, { 0.6f, 0.1f }, { 0.4f, 0.8f } }),
            tensor(new float[,] { { 1, 0.5f }, { 0, 1 }, { 0, 1 }, { 1, 0 } }),
            tensor(new float[,] { { 1, 0.5f }, { 1, 1 }, { 1, 0.49f }, { 1, 1 } }),
            tensor(new long[] { 0, 0, 1, 1 }));
        accumulator.Add(1, 0.3f, 1, group: 1);

        var report = accumulator.Compute();

        report["a"].Count.Should().Be(4);
        report["a"].Positives.Should().Be(2);

        // Group 0: 0.9 (1) over 0.1 (0) → 1; group 1: 0.4 (1) under 0.6 (0) → 0; weighted 2/4 each.
        report["a"].GAuc.Should().Be(0.5);
        report["a"].Auc.Should().Be(0.75);

        // Task b: rows 0 (mask 0.5 is observed, label 0.5 is negative), 1, 3 and the added row.
        report["b"].Count.Should().Be(4);
        report["b"].Positives.Should().Be(2);
        report["b"].Auc.Should().Be(0.5);
        report["b"].LogLoss.Should().BeApproximately(-(Math.Log(0.8) + Math.Log(0.7) + Math.Log(0.2) + Math.Log(0.3)) / 4, 1e-6);
        report["b"].Calibration.Should().BeApproximately((0.2 + 0.7 + 0.8 + 0.3) / 2.5, 1e-6, "calibration divides by the sum of the labels, 0.5 included");
    }

    [Fact]
    public void Accumulator_without_groups_or_mask_reports_no_gauc_and_counts_every_row()
    {
        using var scope = NewDisposeScope();
        var accumulator = new MetricAccumulator(["a"]);
        accumulator.Update(tensor(new float[,] { { 0.9f }, { 0.1f } }), tensor(new float[,] { { 1 }, { 0 } }));
        accumulator.Add(0, 0.5f, 1);

        var report = accumulator.Compute();

        report["a"].Count.Should().Be(3);
        double.IsNaN(report["a"].GAuc).Should().BeTrue("no row has a group");
        report["a"].Auc.Should().Be(1.0);
    }

    [Fact]
    public void Accumulator_and_state_refuse_infinite_scores_as_well_as_nan()
    {
        using var scope = NewDisposeScope();
        var accumulator = new MetricAccumulator(["a"]);
        FluentActions.Invoking(() => accumulator.Add(0, float.PositiveInfinity, 1)).Should().Throw<InvalidDataException>().WithMessage("*non-finite score*for task 'a'*");
        FluentActions.Invoking(() => accumulator.Update(tensor(new float[,] { { float.NegativeInfinity } }), tensor(new float[,] { { 1 } })))
            .Should().Throw<InvalidDataException>();

        // A masked row is not judged: its score is never used.
        accumulator.Update(tensor(new float[,] { { float.NaN } }), tensor(new float[,] { { 1 } }), tensor(new float[,] { { 0 } }));
        accumulator.Compute()["a"].Count.Should().Be(0);

        var state = new TaskMetricState("a");
        FluentActions.Invoking(() => state.Add(float.NegativeInfinity, 0)).Should().Throw<InvalidDataException>();
        state.Add(0.25f, 1);
        state.All().Count.Should().Be(1);
    }

    [Fact]
    public void State_gauc_weights_groups_by_size_and_skips_single_class_groups()
    {
        var state = new TaskMetricState("a");
        foreach (var (score, label) in new[] { (0.9f, 1f), (0.8f, 1f), (0.2f, 0f), (0.1f, 0f) })
        {
            state.Add(score, label, "big");
        }

        state.Add(0.1f, 1, "small");
        state.Add(0.9f, 0, "small");
        state.Add(0.5f, 1, "positives-only");
        state.Add(0.3f, 0);

        var metrics = state.Compute();

        metrics.Count.Should().Be(8);
        metrics.Positives.Should().Be(4);
        metrics.GAuc.Should().BeApproximately(4.0 / 6, 1e-12);
        state.Groups.Keys.Should().BeEquivalentTo(new[] { "big", "small", "positives-only" });
        state.Group("big").Should().BeSameAs(state.Groups["big"]);
        state.Group("big").Count.Should().Be(4);
        state.Ungrouped.Count.Should().Be(1);

        var onlyOneClass = new TaskMetricState("a");
        onlyOneClass.Add(0.5f, 1, "u");
        double.IsNaN(onlyOneClass.Compute().GAuc).Should().BeTrue();
    }

    [Fact]
    public void Merging_adds_the_ungrouped_samples_and_joins_groups_by_key()
    {
        var a = new TaskMetricState("a");
        a.Add(0.9f, 1, "u");
        a.Add(0.4f, 0);
        var b = new TaskMetricState("a");
        b.Add(0.1f, 0, "u");
        b.Add(0.2f, 1, "v");
        b.Add(0.6f, 1);

        a.Merge(b);

        a.Groups["u"].Count.Should().Be(2);
        a.Groups["v"].Count.Should().Be(1);
        a.Ungrouped.Count.Should().Be(2);
        a.All().Count.Should().Be(5);
        a.Compute().GAuc.Should().Be(1.0, "only u has both classes, and it ranks them right");
        b.Groups.Should().HaveCount(2, "the merged state is not changed");
        FluentActions.Invoking(() => new TaskMetricState("")).Should().Throw<ArgumentException>();
    }
}
