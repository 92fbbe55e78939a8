using STEM.Recommenders.Modules;
using STEM.Recommenders.Tests.Infrastructure;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Modules;

/// <summary>
/// What the modules promise beyond their values: arguments checked by name, the reference code's
/// Xavier-normal initialisation, intermediates freed as soon as forward is done with them, every
/// submodule's weights registered, and the expert pool's calibration rules (held with made-up
/// times). The mutation run in docs/testing.md showed which of these no test asserted.
/// </summary>
public class ModuleContractTests
{
    private static readonly MlpOptions Shape = new() { HiddenUnits = [8, 6] };

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        using var scope = NewDisposeScope();
        var options = new MlpOptions { HiddenUnits = [4] };
        FluentActions.Invoking(() => new AfTbGate("g", 2, 4, null!, options, sharedGate: true)).Should().Throw<ArgumentNullException>().WithParameterName("expertOwners");
        using var gate = new AfTbGate("g", 2, 4, [0, 1, -1], options, sharedGate: true);
        FluentActions.Invoking(() => gate.forward(null!, zeros(3, 2, 5))).Should().Throw<ArgumentNullException>().WithParameterName("views");
        FluentActions.Invoking(() => gate.forward(zeros(3, 2, 4), null!)).Should().Throw<ArgumentNullException>().WithParameterName("experts");
        FluentActions.Invoking(() => ExpertMixture.Mix(null!, zeros(2, 3, 4))).Should().Throw<ArgumentNullException>().WithParameterName("weights");
        FluentActions.Invoking(() => ExpertMixture.Mix(zeros(1, 3, 2), null!)).Should().Throw<ArgumentNullException>().WithParameterName("experts");
        using var pool = new ExpertPool("pool", 2, 4, Shape);
        FluentActions.Invoking(() => pool.forward(null!)).Should().Throw<ArgumentNullException>().WithParameterName("input");
        FluentActions.Invoking(() => new Mlp("mlp", 4, null!)).Should().Throw<ArgumentNullException>().WithParameterName("options");
    }

    [Fact]
    public void An_mlp_validates_its_options_before_building_layers()
    {
        var act = () => new Mlp("tower", 4, new MlpOptions { HiddenUnits = [4, 0] });

        act.Should().Throw<ArgumentException>().WithMessage("tower: every hidden layer needs at least one unit.");
    }

    [Fact]
    public void The_pool_refuses_an_undefined_execution_and_a_calibration_without_rows_or_repeats()
    {
        using var pool = new ExpertPool("pool", 2, 4, Shape);

        FluentActions.Invoking(() => pool.Execution = (ExpertExecution)7).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        FluentActions.Invoking(() => pool.Calibrate(rows: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rows");
        FluentActions.Invoking(() => pool.Calibrate(rows: 4, repeats: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("repeats");
        pool.Execution.Should().Be(ExpertExecution.Batched);
    }

    [Fact]
    public void Linear_layers_start_xavier_normal_with_a_zero_bias()
    {
        // Xavier normal: std = sqrt(2 / (in + out)) = 0.0442 for 512 → 512; LibTorch's default
        // Linear init (uniform in ±1/sqrt(in)) has std 1/sqrt(3 · 512) = 0.0255.
        manual_seed(11);
        using var block = new MlpBlock("block", 512, 512);
        using var mlp = new Mlp("mlp", 512, new MlpOptions { HiddenUnits = [512] }, outputDim: 512);
        var expected = Math.Sqrt(2.0 / 1024);

        foreach (var (name, weight, bias) in new[] { ("block", block.Linear.weight!, block.Linear.bias!), ("mlp output", mlp.named_parameters().Single(p => p.name == "output.weight").parameter, mlp.named_parameters().Single(p => p.name == "output.bias").parameter) })
        {
            using var scope = NewDisposeScope();
            weight.std().item<float>().Should().BeApproximately((float)expected, (float)(0.03 * expected), name);
            weight.mean().item<float>().Should().BeApproximately(0f, 0.002f, name);
            bias.abs().max().item<float>().Should().Be(0f, name);
        }
    }

    [Theory]
    [InlineData(Activation.Relu, true)]
    [InlineData(Activation.Tanh, true)]
    [InlineData(Activation.Tanh, false)]
    public void An_mlp_block_leaves_only_its_output_alive(Activation activation, bool batchNorm)
    {
        manual_seed(2);
        using var block = new MlpBlock("block", 6, 5, activation, batchNorm);
        using var input = randn(8, 6);
        block.forward(input).Dispose();
        var before = LiveTensors.Settled();

        using var output = block.forward(input);

        (LiveTensors.Settled() - before).Should().Be(1, "the product and the normalised product are released inside forward");
        output.shape.Should().Equal(8, 5);
    }

    [Fact]
    public void Every_submodule_registers_its_weights()
    {
        using var block = new MlpBlock("block", 6, 5, batchNorm: true);
        using var pool = new ExpertPool("pool", 3, 4, Shape, [0, 1, 1]);
        using var tower = new TaskTower("towers", 2, 6, new MlpOptions { HiddenUnits = [4] });

        block.named_parameters().Select(p => p.name).Should().BeEquivalentTo("linear.weight", "linear.bias", "norm.weight", "norm.bias");
        pool.parameters().Sum(p => p.numel()).Should().Be(3 * ((4 * 8) + 8 + (8 * 6) + 6));
        tower.parameters().Sum(p => p.numel()).Should().Be(2 * ((6 * 4) + 4 + 4 + 1));
    }

    [Fact]
    public void Calibration_times_the_best_of_the_repeats_after_an_untimed_first_pass()
    {
        var times = new Queue<double>([1.0, 5.0, 7.0, 3.0, 9.0]);
        var calls = 0;

        var best = CalibrationTiming.BestOf(3, () =>
        {
            calls++;
            return times.Dequeue();
        });

        best.Should().Be(3.0, "the warm-up's 1.0 does not count, and the minimum of 5, 7, 3 is kept");
        calls.Should().Be(4);
        FluentActions.Invoking(() => CalibrationTiming.BestOf(0, () => 1.0)).Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Calibration_keeps_the_faster_execution_and_batched_on_a_tie()
    {
        CalibrationTiming.Faster(batchedMs: 2.0, separateMs: 1.5).Should().Be(ExpertExecution.Separate);
        CalibrationTiming.Faster(batchedMs: 1.5, separateMs: 2.0).Should().Be(ExpertExecution.Batched);
        CalibrationTiming.Faster(batchedMs: 2.0, separateMs: 2.0).Should().Be(ExpertExecution.Batched);
    }

    [Fact]
    public void Calibrating_a_pool_without_views_or_gradients_leaves_no_gradients()
    {
        manual_seed(4);
        using var pool = new ExpertPool("pool", 3, 7, Shape);
        pool.parameters().All(p => p.grad is null).Should().BeTrue();

        var (batchedMs, separateMs) = pool.Calibrate(rows: 16);

        double.IsFinite(batchedMs).Should().BeTrue();
        double.IsFinite(separateMs).Should().BeTrue("without batch norm both executions are timed");
        pool.parameters().Should().OnlyContain(p => ReferenceEquals(p.grad, null), "a gradient the calibration created is removed again");
    }

    [Fact]
    public void Calibrating_a_pool_with_batch_norm_times_only_the_batched_execution()
    {
        manual_seed(4);
        using var pool = new ExpertPool("pool", 2, 5, Shape with { BatchNorm = true });

        var (batchedMs, separateMs) = pool.Calibrate(rows: 16);

        double.IsFinite(batchedMs).Should().BeTrue();
        separateMs.Should().Be(double.PositiveInfinity);
        pool.Execution.Should().Be(ExpertExecution.Batched);
    }
}
