using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Modules;

public class ModuleTests
{
    [Fact]
    public void Expert_pool_equals_a_loop_of_independent_mlps()
    {
        manual_seed(2);
        using var pool = new ExpertPool("p", 3, 10, new MlpOptions { HiddenUnits = [7, 5] }, inputViews: [0, 1, 1]);
        using var scope = NewDisposeScope();
        var views = randn(2, 4, 10);

        var batched = pool.forward(views);

        for (var e = 0; e < 3; e++)
        {
            var x = views[e == 0 ? 0 : 1];
            for (var l = 0; l < 2; l++)
            {
                x = nn.functional.relu(x.matmul(pool.Experts.Weight(l)[e]) + pool.Experts.Bias(l)[e]);
            }

            (batched[e] - x).abs().max().item<float>().Should().BeLessThan(1e-6f);
        }
    }

    [Fact]
    public void Stacked_mlp_weights_are_xavier_normal_and_biases_zero()
    {
        manual_seed(3);
        using var mlp = new StackedMlp("m", 8, 300, new MlpOptions { HiddenUnits = [200] });

        var w = mlp.Weight(0);
        var std = w.std().item<float>();
        std.Should().BeApproximately((float)Math.Sqrt(2.0 / 500), 0.002f);
        mlp.Bias(0).abs().sum().item<float>().Should().Be(0);
    }

    [Fact]
    public void Embedding_bank_shared_only_fields_are_identical_in_every_view_and_pooling_is_weighted()
    {
        manual_seed(4);
        var layout = TinyData.Layout;
        using var bank = new EmbeddingBank("e", layout, 3, taskViews: 2, initStd: 1);
        using var scope = NewDisposeScope();
        var batch = TinyData.Batch(layout, 5);

        var views = bank.forward(batch);

        views.shape.Should().Equal(3, 5, 5 * 3);

        // Layout order: a, b, m, d (task-specific), then c (shared-only) at fields 4.
        var c = views[.., .., 12..15];
        (c[0] - c[2]).abs().max().item<float>().Should().Be(0);
        (c[1] - c[2]).abs().max().item<float>().Should().Be(0);

        // Field m pools three slots with their weights from view 1 (columns 3..6 of the wide row).
        var ids = batch.Ids;
        var w = batch.SlotWeights!;
        var table = bank.TaskSpecificTable!;
        var expected = zeros(5, 3);
        for (var s = 2; s < 5; s++)
        {
            expected += table.index_select(0, ids[.., s])[.., 3..6] * w[.., s].unsqueeze(1);
        }

        (views[1, .., 6..9] - expected).abs().max().item<float>().Should().BeLessThan(1e-5f);
    }

    [Fact]
    public void Row_sparse_lookup_gives_the_same_values_and_the_dense_gradient_on_touched_rows()
    {
        manual_seed(5);
        var layout = TinyData.Layout;
        using var bank = new EmbeddingBank("e", layout, 3, taskViews: 1, initStd: 1);
        using var scope = NewDisposeScope();
        var batch = TinyData.Batch(layout, 6);
        var probe = randn(2, 6, 15);

        var dense = bank.forward(batch);
        (dense * probe).sum().backward();
        var denseGrad = bank.TaskSpecificTable!.grad!.clone();

        bank.RowSparseGradients = true;
        var sparse = bank.forward(batch);
        (sparse * probe).sum().backward();

        (sparse - dense).abs().max().item<float>().Should().Be(0);
        var lookup = bank.PendingLookups.Single(l => l.Table.Handle == bank.TaskSpecificTable!.Handle);
        (lookup.Values.grad! - denseGrad.index_select(0, lookup.Rows)).abs().max().item<float>().Should().BeLessThan(1e-6f);
        denseGrad.abs().sum(dim: 1).nonzero().shape[0].Should().Be(lookup.Rows.shape[0], "exactly the touched rows have gradient");
        bank.ClearLookups();
    }

    [Fact]
    public void Expert_mixture_stops_gradient_only_where_masked()
    {
        using var scope = NewDisposeScope();
        var experts = randn(3, 2, 4).requires_grad_(true);
        var weights = softmax(randn(2, 2, 3), -1).requires_grad_(true);
        var mask = tensor(new float[,] { { 1, 0, 1 }, { 1, 1, 1 } });

        var masked = ExpertMixture.Mix(weights, experts, mask);
        var plain = ExpertMixture.Mix(weights, experts);
        (masked - plain).abs().max().item<float>().Should().BeLessThan(1e-6f);

        masked[0].sum().backward();
        experts.grad![1].abs().sum().item<float>().Should().Be(0);
        experts.grad![0].abs().sum().item<float>().Should().BeGreaterThan(0);
        weights.grad![0, .., 1].abs().sum().item<float>().Should().BeGreaterThan(0, "the gate still learns how much to take from a detached expert");
    }

    [Fact]
    public void Mlp_block_is_linear_activation_with_xavier_init_and_zero_bias()
    {
        manual_seed(6);
        using var block = new MlpBlock("b", 4, 3, Activation.Relu);
        using var scope = NewDisposeScope();
        var x = randn(5, 4);

        var y = block.forward(x);

        (y - nn.functional.relu(x.matmul(block.Linear.weight.t()))).abs().max().item<float>().Should().BeLessThan(1e-6f);
        block.Linear.bias!.abs().sum().item<float>().Should().Be(0);
    }
}
