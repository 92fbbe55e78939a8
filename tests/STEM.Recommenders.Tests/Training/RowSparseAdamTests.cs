using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

public class RowSparseAdamTests
{
    private static readonly FeatureLayout Layout = FeatureLayout.Categorical([3, 4, 2], [true, true, false]);

    /// <summary>A batch in which every id of every field occurs.</summary>
    private static FeatureBatch EveryRow()
    {
        long[,] ids =
        {
            { 0, 3, 7 }, { 1, 4, 8 }, { 2, 5, 7 }, { 0, 6, 8 }, { 1, 3, 7 }, { 2, 6, 8 },
        };
        return new FeatureBatch(tensor(ids), null);
    }

    private static StemNet Model()
    {
        manual_seed(9);
        return new StemNet(Layout, TinyData.Tasks2, new StemNetOptions { EmbeddingDim = 3, ExpertUnits = [5], GateUnits = [], TowerUnits = [], SharedExperts = 1, EmbeddingInitStd = 0.5 });
    }

    private static void Train(IMultiTaskModel model, EmbeddingUpdate mode, FeatureBatch batch, int steps)
    {
        using var optimizer = new MultiTaskOptimizer(model, new OptimizerOptions { LearningRate = 0.05, EmbeddingL2 = 0.1, GradientClipNorm = 0.5, EmbeddingUpdate = mode });
        var labels = tensor(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 0, 0 }, { 1, 0 }, { 0, 1 } });
        for (var i = 0; i < steps; i++)
        {
            using var scope = NewDisposeScope();
            var logits = model.Forward(batch).Logits;
            MultiTaskLoss.PerTask(logits, labels, null).sum().backward();
            optimizer.Step();
            optimizer.ZeroGrad();
        }
    }

    [Fact]
    public void Equals_dense_adam_when_every_row_occurs_in_every_batch()
    {
        using var dense = Model();
        using var sparse = Model();
        using var batch = NewDisposeScope();
        var data = EveryRow();

        Train(dense, EmbeddingUpdate.Dense, data, 5);
        Train(sparse, EmbeddingUpdate.RowSparse, data, 5);

        var a = dense.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in sparse.named_parameters())
        {
            (p - a[name]).abs().max().item<float>().Should().BeLessThan(1e-6f, name);
        }

        (sparse.named_parameters().First().parameter - Model().named_parameters().First().parameter).abs().max().item<float>()
            .Should().BeGreaterThan(1e-3f, "training moved the embeddings");
    }

    [Fact]
    public void Rows_absent_from_the_batch_and_their_moments_stay_untouched()
    {
        using var sparse = Model();
        using var dense = Model();
        using var scope = NewDisposeScope();
        var before = sparse.EmbeddingBanks[0].TaskSpecificTable!.clone();

        // Only ids 0 and 3 (and shared 7): rows 1, 2, 4, 5, 6 are never looked up.
        var batch = new FeatureBatch(tensor(new long[,] { { 0, 3, 7 }, { 0, 3, 7 }, { 0, 3, 7 }, { 0, 3, 7 }, { 0, 3, 7 }, { 0, 3, 7 } }), null);
        Train(sparse, EmbeddingUpdate.RowSparse, batch, 3);
        Train(dense, EmbeddingUpdate.Dense, batch, 3);

        var after = sparse.EmbeddingBanks[0].TaskSpecificTable!;
        foreach (var row in new[] { 1, 2, 4, 5, 6 })
        {
            (after[row] - before[row]).abs().max().item<float>().Should().Be(0, $"row {row} was not looked up");
        }

        (after[0] - before[0]).abs().max().item<float>().Should().BeGreaterThan(0);

        // Dense Adam's L2 moves every row, which is what row-sparse updates avoid.
        (dense.EmbeddingBanks[0].TaskSpecificTable![1] - before[1]).abs().max().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Two_lookups_of_one_table_in_a_step_sum_their_rows_like_dense_adam()
    {
        using var dense = Model();
        using var sparse = Model();
        using var scope = NewDisposeScope();
        var first = EveryRow();

        // The same rows in another order: every row is looked up twice per step, once per forward.
        var second = new FeatureBatch(first.Ids.flip(0).contiguous(), null);
        var labels = tensor(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 }, { 0, 0 }, { 1, 0 }, { 0, 1 } });
        foreach (var (model, mode) in new[] { (dense, EmbeddingUpdate.Dense), (sparse, EmbeddingUpdate.RowSparse) })
        {
            using var optimizer = new MultiTaskOptimizer(model, new OptimizerOptions { LearningRate = 0.05, EmbeddingL2 = 0, GradientClipNorm = null, EmbeddingUpdate = mode });
            for (var i = 0; i < 3; i++)
            {
                using var step = NewDisposeScope();
                var loss = MultiTaskLoss.PerTask(model.Forward(first).Logits, labels, null).sum() + MultiTaskLoss.PerTask(model.Forward(second).Logits, labels.flip(0), null).sum();
                loss.backward();
                optimizer.Step();
                optimizer.ZeroGrad();
            }
        }

        var expected = dense.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in sparse.named_parameters())
        {
            (p - expected[name]).abs().max().item<float>().Should().BeLessThan(1e-6f, name);
        }
    }
}
