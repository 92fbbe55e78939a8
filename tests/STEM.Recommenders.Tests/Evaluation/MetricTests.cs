using STEM.Recommenders.Evaluation;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Evaluation;

public class MetricTests
{
    [Fact]
    public void Auc_matches_known_values()
    {
        // scikit-learn: roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
        AucMetric.Compute([0.1f, 0.4f, 0.35f, 0.8f], [0, 0, 1, 1]).Should().BeApproximately(0.75, 1e-12);
        AucMetric.Compute([0.9f, 0.8f, 0.1f], [1, 1, 0]).Should().Be(1.0);
        AucMetric.Compute([0.1f, 0.8f, 0.9f], [1, 0, 0]).Should().Be(0.0);
    }

    [Fact]
    public void Auc_counts_ties_as_one_half()
    {
        AucMetric.Compute([0.5f, 0.5f, 0.5f, 0.5f], [0, 1, 0, 1]).Should().Be(0.5);

        // Positives 0.2 and 0.9 against negative 0.2: (0.5 + 1) / 2.
        AucMetric.Compute([0.2f, 0.2f, 0.9f], [0, 1, 1]).Should().Be(0.75);
    }

    [Fact]
    public void Auc_is_undefined_for_one_class()
    {
        double.IsNaN(AucMetric.Compute([0.1f, 0.2f], [1, 1])).Should().BeTrue();
    }

    [Fact]
    public void Group_auc_weights_groups_by_size_and_skips_single_class_groups()
    {
        // Group 0 (3 rows): AUC 1. Group 1 (2 rows): AUC 0. Group 2: only positives, skipped. Group -1: ignored.
        float[] scores = [0.9f, 0.1f, 0.2f, 0.3f, 0.8f, 0.5f, 0.4f];
        float[] labels = [1, 0, 0, 1, 0, 1, 0];
        long[] groups = [0, 0, 0, 1, 1, 2, -1];

        GroupAucMetric.Compute(scores, labels, groups).Should().BeApproximately(((1.0 * 3) + (0.0 * 2)) / 5, 1e-12);
    }

    [Fact]
    public void Log_loss_and_calibration_match_hand_values()
    {
        LogLossMetric.Compute([0.8f, 0.4f], [1, 0]).Should().BeApproximately(-(Math.Log(0.8) + Math.Log(0.6)) / 2, 1e-6);
        LogLossMetric.Compute([1f, 0f], [0, 1]).Should().BeApproximately(-Math.Log(1e-7), 1e-3, "predictions are clipped to 1e-7");
        CalibrationMetric.Compute([0.2f, 0.4f, 0.6f], [0, 1, 0]).Should().BeApproximately(1.2, 1e-6);
    }

    [Fact]
    public void Accumulator_skips_masked_labels_per_task()
    {
        using var scope = NewDisposeScope();
        var accumulator = new MetricAccumulator(["a", "b"]);
        accumulator.Update(
            tensor(new float[,] { { 0.9f, 0.2f }, { 0.1f, 0.7f }, { 0.6f, 0.9f } }),
            tensor(new float[,] { { 1, 0 }, { 0, 1 }, { 0, 1 } }),
            tensor(new float[,] { { 1, 1 }, { 1, 1 }, { 1, 0 } }));

        var report = accumulator.Compute();

        report["a"].Count.Should().Be(3);
        report["a"].Auc.Should().Be(1.0);
        report["b"].Count.Should().Be(2);
        report["b"].Positives.Should().Be(1);
        report["b"].Auc.Should().Be(1.0);
        report.MeanAuc.Should().Be(1.0);
    }
}
