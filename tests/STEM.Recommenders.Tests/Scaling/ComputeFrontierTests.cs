using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Scaling;

namespace STEM.Recommenders.Tests.Scaling;

public class ComputeFrontierTests
{
    [Fact]
    public void Frontier_is_the_lower_envelope_of_loss_against_compute()
    {
        ScalingRun[] runs =
        [
            ScalingTestData.Run("d", 1e12, 3.0),
            ScalingTestData.Run("a", 1e10, 5.0),
            ScalingTestData.Run("b", 1e11, 4.0),
            ScalingTestData.Run("b-worse", 1e11, 4.5),   // same compute, higher loss
            ScalingTestData.Run("c", 5e11, 4.2),         // more compute, no better than b
            ScalingTestData.Run("e", 1e13, 3.0),         // ties d's loss: not lower
            ScalingTestData.Run("f", 1e14, 2.5),
            ScalingTestData.Run("diverged", 1e9, double.NaN),
        ];

        var frontier = ComputeFrontier.Of(runs);

        frontier.Select(r => r.Name).Should().Equal("a", "b", "d", "f");
    }

    [Fact]
    public void Empty_runs_give_an_empty_frontier()
    {
        ComputeFrontier.Of([]).Should().BeEmpty();
    }

    [Fact]
    public void Batch_and_model_must_grow_together_when_the_best_batch_grows_and_a_big_model_does_not_help_at_a_small_batch()
    {
        // Small model: best at B = 64. Big model: worse than small at B = 32, best at B = 256.
        var runs = new List<ScalingRun>
        {
            ScalingTestData.Run("s32", 1e12, 3.00, parameters: 100_000, batch: 32),
            ScalingTestData.Run("s64", 1e12, 2.90, parameters: 100_000, batch: 64),
            ScalingTestData.Run("s256", 1e12, 2.95, parameters: 100_000, batch: 256),
            ScalingTestData.Run("m32", 1e12, 3.02, parameters: 400_000, batch: 32),
            ScalingTestData.Run("m64", 1e12, 2.85, parameters: 400_000, batch: 64),
            ScalingTestData.Run("m256", 1e12, 2.80, parameters: 400_000, batch: 256),
            ScalingTestData.Run("b32-seed0", 1e12, 3.10, parameters: 1_600_000, batch: 32),
            ScalingTestData.Run("b32-seed1", 1e12, 3.06, parameters: 1_600_000, batch: 32, seed: 1),
            ScalingTestData.Run("b64", 1e12, 2.88, parameters: 1_600_000, batch: 64),
            ScalingTestData.Run("b256", 1e12, 2.60, parameters: 1_600_000, batch: 256),
        };

        var verdict = ComputeFrontier.BatchVersusModel(runs);

        verdict.Choices.Select(c => (c.NonEmbeddingParameters, c.BestBatchSize)).Should().Equal((100_000L, 64), (400_000L, 256), (1_600_000L, 256));
        verdict.Choices[^1].LossAtSmallestBatch.Should().BeApproximately(3.08, 1e-12);   // mean over seeds
        verdict.SmallestBatchSize.Should().Be(32);
        verdict.BestBatchGrowsWithModel.Should().BeTrue();
        verdict.BiggestBeatsSmallestAtSmallestBatch.Should().BeFalse();
        verdict.Summary.Should().StartWith("Batch and model size must grow together");
        verdict.Summary.Should().Contain("N=100k → B=64").And.Contain("N=1.6M → B=256").And.Contain("does not beat");
    }

    [Fact]
    public void No_joint_growth_when_the_best_batch_shrinks()
    {
        var runs = new List<ScalingRun>
        {
            ScalingTestData.Run("s32", 1e12, 3.0, parameters: 1000, batch: 32),
            ScalingTestData.Run("s256", 1e12, 2.0, parameters: 1000, batch: 256),
            ScalingTestData.Run("b32", 1e12, 1.5, parameters: 9000, batch: 32),
            ScalingTestData.Run("b256", 1e12, 1.8, parameters: 9000, batch: 256),
        };

        var verdict = ComputeFrontier.BatchVersusModel(runs);

        verdict.BestBatchGrowsWithModel.Should().BeFalse();
        verdict.BiggestBeatsSmallestAtSmallestBatch.Should().BeTrue();
        verdict.Summary.Should().StartWith("No sign that batch and model size must grow together");
    }

    [Fact]
    public void Batch_grid_needs_two_model_sizes()
    {
        var act = () => ComputeFrontier.BatchVersusModel([ScalingTestData.Run("only", 1e12, 3.0)]);

        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == "runs");
    }
}
