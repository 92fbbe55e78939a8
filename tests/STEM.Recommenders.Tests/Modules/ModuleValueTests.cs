using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Modules;

/// <summary>
/// Module behaviour asserted by value: each activation, dropout and batch norm switched on and off,
/// the output layer of an MLP, the gradient masks of the AFTB gate for every option, and the
/// argument checks (the mutation run in docs/testing.md showed which of them no test asserted).
/// </summary>
public class ModuleValueTests
{
    [Theory]
    [InlineData(Activation.Relu, 0f, 2f)]
    [InlineData(Activation.Gelu, -0.15865526f, 1.9544997f)]
    [InlineData(Activation.Tanh, -0.7615942f, 0.9640276f)]
    [InlineData(Activation.Sigmoid, 0.26894142f, 0.8807971f)]
    [InlineData(Activation.Identity, -1f, 2f)]
    public void Each_activation_gives_its_function(Activation activation, float atMinusOne, float atTwo)
    {
        using var scope = NewDisposeScope();
        var y = activation.Apply(tensor(new[] { -1f, 2f }));

        y[0].item<float>().Should().BeApproximately(atMinusOne, 1e-6f);
        y[1].item<float>().Should().BeApproximately(atTwo, 1e-6f);
    }

    [Fact]
    public void An_unknown_activation_and_the_precisions_compute_types()
    {
        using var scope = NewDisposeScope();
        FluentActions.Invoking(() => ((Activation)99).Apply(tensor(1f))).Should().Throw<ArgumentOutOfRangeException>();
        Precision.BFloat16.ComputeType().Should().Be(ScalarType.BFloat16);
        Precision.Float32.ComputeType().Should().Be(ScalarType.Float32);
    }

    [Fact]
    public void Mlp_block_drops_out_only_in_training_and_batch_norm_normalises()
    {
        manual_seed(11);
        using var dropping = new MlpBlock("d", 6, 200, Activation.Identity, dropout: 0.5);
        using var scope = NewDisposeScope();
        var x = randn(8, 6);
        var linear = x.matmul(dropping.Linear.weight.t());

        dropping.train();
        var trained = dropping.forward(x);
        var zeros = (trained == 0).sum().item<long>();
        zeros.Should().BeInRange(600, 1000, "half of 1,600 values are dropped");
        var kept = trained != 0;
        (trained.masked_select(kept) - (linear * 2).masked_select(kept)).abs().max().item<float>().Should().BeLessThan(1e-5f, "kept values are scaled by 1/(1−p)");

        dropping.eval();
        (dropping.forward(x) - linear).abs().max().item<float>().Should().BeLessThan(1e-6f);

        manual_seed(12);
        using var normed = new MlpBlock("n", 6, 4, Activation.Identity, batchNorm: true);
        normed.train();
        var y = normed.forward(randn(64, 6) * 5 + 3);
        y.mean(dimensions: [0]).abs().max().item<float>().Should().BeLessThan(1e-4f);
        y.std(0, unbiased: false).sub(1).abs().max().item<float>().Should().BeLessThan(1e-3f);
    }

    [Fact]
    public void Mlp_chains_its_blocks_and_ends_in_an_output_layer_when_asked()
    {
        manual_seed(13);
        using var withOutput = new Mlp("m", 5, new MlpOptions { HiddenUnits = [4, 3], Activation = Activation.Tanh }, outputDim: 2);
        using var without = new Mlp("h", 5, new MlpOptions { HiddenUnits = [4, 3] });
        using var scope = NewDisposeScope();
        withOutput.OutputDim.Should().Be(2);
        without.OutputDim.Should().Be(3);

        var parameters = withOutput.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        parameters.Keys.Should().BeEquivalentTo(new[] { "blocks.0.linear.weight", "blocks.0.linear.bias", "blocks.1.linear.weight", "blocks.1.linear.bias", "output.weight", "output.bias" });
        parameters["output.bias"].abs().sum().item<float>().Should().Be(0);
        var x = randn(7, 5);
        var expected = x.matmul(parameters["blocks.0.linear.weight"].t()).tanh();
        expected = expected.matmul(parameters["blocks.1.linear.weight"].t()).tanh();
        expected = expected.matmul(parameters["output.weight"].t());

        (withOutput.forward(x) - expected).abs().max().item<float>().Should().BeLessThan(1e-6f);
        without.forward(x).shape.Should().Equal(7, 3);
    }

    [Fact]
    public void Expert_pool_checks_its_views_and_reads_each_experts_view()
    {
        FluentActions.Invoking(() => new ExpertPool("p", 3, 4, new MlpOptions { HiddenUnits = [2] }, inputViews: [0, 1]))
            .Should().Throw<ArgumentException>().WithMessage("p: inputViews needs one entry per expert (3).*");

        manual_seed(14);
        using var pool = new ExpertPool("p", 2, 4, new MlpOptions { HiddenUnits = [3], Activation = Activation.Identity }, inputViews: [1, 0]);
        using var plain = new ExpertPool("q", 2, 4, new MlpOptions { HiddenUnits = [3] });
        using var scope = NewDisposeScope();
        pool.Count.Should().Be(2);
        pool.OutputDim.Should().Be(3);
        pool.InputViews.Should().Equal(1, 0);
        plain.InputViews.Should().BeNull();
        var views = randn(2, 5, 4);

        var y = pool.forward(views);

        (y[0] - views[1].matmul(pool.Experts.Weight(0)[0])).abs().max().item<float>().Should().BeLessThan(1e-6f);
        (y[1] - views[0].matmul(pool.Experts.Weight(0)[1])).abs().max().item<float>().Should().BeLessThan(1e-6f);
        plain.forward(views[0]).shape.Should().Equal(2, 5, 3);
    }

    [Fact]
    public void Task_tower_gives_one_logit_per_task_in_batch_by_task_order()
    {
        manual_seed(15);
        using var tower = new TaskTower("t", 3, 4, new MlpOptions { HiddenUnits = [] });
        using var scope = NewDisposeScope();
        var x = randn(3, 5, 4);

        var logits = tower.forward(x);

        logits.shape.Should().Equal(5, 3);
        for (var task = 0; task < 3; task++)
        {
            var expected = x[task].matmul(tower.Towers.Weight(0)[task]).squeeze(-1);
            (logits[.., task] - expected).abs().max().item<float>().Should().BeLessThan(1e-6f);
        }
    }

    [Fact]
    public void Expert_mixture_is_the_gate_weighted_sum()
    {
        using var scope = NewDisposeScope();
        var weights = tensor(new float[,,] { { { 0.25f, 0.75f } } });
        var experts = tensor(new float[,,] { { { 4f } }, { { 8f } } });

        ExpertMixture.Mix(weights, experts).item<float>().Should().Be(7f);
        ExpertMixture.Mix(weights, experts, tensor(new float[,] { { 0, 1 } })).item<float>().Should().Be(7f);
    }

    private static float[,] Mask(AfTbGate gate) =>
        gate.named_buffers().Single(b => b.name == "pass_gradient").buffer.data<float>().ToArray() is var flat
            ? To2D(flat, gate.TaskCount + (gate.HasSharedGate ? 1 : 0), gate.ExpertOwners.Count)
            : throw new InvalidOperationException();

    private static float[,] To2D(float[] flat, int rows, int columns)
    {
        var result = new float[rows, columns];
        for (var i = 0; i < flat.Length; i++)
        {
            result[i / columns, i % columns] = flat[i];
        }

        return result;
    }

    [Fact]
    public void Aftb_gate_masks_pass_own_and_shared_experts_and_the_shared_gate_follows_its_option()
    {
        int[] owners = [0, 1, -1];
        var options = new MlpOptions { HiddenUnits = [] };
        using var strict = new AfTbGate("g", 2, 4, owners, options, sharedGate: true);
        using var loose = new AfTbGate("g", 2, 4, owners, options, sharedGate: true, strictSharedGate: false);
        using var mixture = new AfTbGate("g", 2, 4, owners, options, sharedGate: false, stopGradient: false);

        Mask(strict).Should().BeEquivalentTo(new float[,] { { 1, 0, 1 }, { 0, 1, 1 }, { 0, 0, 1 } });
        Mask(loose).Should().BeEquivalentTo(new float[,] { { 1, 0, 1 }, { 0, 1, 1 }, { 1, 1, 1 } });
        Mask(mixture).Should().BeEquivalentTo(new float[,] { { 1, 1, 1 }, { 1, 1, 1 } });
        strict.TaskCount.Should().Be(2);
        strict.HasSharedGate.Should().BeTrue();
        mixture.HasSharedGate.Should().BeFalse();

        FluentActions.Invoking(() => new AfTbGate("g", 2, 4, [0, 2], options, sharedGate: false)).Should().Throw<ArgumentException>()
            .WithMessage("g: expert owners must be -1 (shared) or a task index below 2.*");
        FluentActions.Invoking(() => new AfTbGate("g", 2, 4, [-2, 0], options, sharedGate: false)).Should().Throw<ArgumentException>();
        using var edges = new AfTbGate("g", 2, 4, [-1, 1], options, sharedGate: false);
        edges.ExpertOwners.Should().Equal(-1, 1);
    }

    [Theory]
    [InlineData(GateInput.TaskPlusShared)]
    [InlineData(GateInput.TaskOnly)]
    public void Aftb_gate_reads_its_configured_input_and_softmaxes_over_experts(GateInput input)
    {
        manual_seed(16);
        using var gate = new AfTbGate("g", 2, 4, [0, 1, -1], new MlpOptions { HiddenUnits = [] }, sharedGate: true, gateInput: input);
        using var scope = NewDisposeScope();
        var views = randn(3, 5, 4);
        var experts = randn(3, 5, 2);

        var (mixed, weights) = gate.forward(views, experts);

        weights.shape.Should().Equal(3, 5, 3);
        mixed.shape.Should().Equal(3, 5, 2);
        var w = gate.Gates.Weight(0);
        var b = gate.Gates.Bias(0);
        for (var g = 0; g < 3; g++)
        {
            var x = g < 2 && input == GateInput.TaskPlusShared ? views[g] + views[2] : views[g];
            var expected = (x.matmul(w[g]) + b[g]).softmax(-1);
            (weights[g] - expected).abs().max().item<float>().Should().BeLessThan(1e-6f, $"gate {g}");
        }

        (mixed - ExpertMixture.Mix(weights, experts)).abs().max().item<float>().Should().BeLessThan(1e-6f);
    }
}
