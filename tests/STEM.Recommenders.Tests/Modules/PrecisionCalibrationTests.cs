using STEM.Recommenders.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Modules;

/// <summary>
/// <see cref="Precision.Auto"/> on an MLP stack: float32 until calibrated, bfloat16 only when the
/// calibration measures it clearly faster, and a calibration that leaves gradients, batch-norm
/// statistics and the global generator as they were.
/// </summary>
public class PrecisionCalibrationTests
{
    private static readonly MlpOptions Auto = new() { HiddenUnits = [16, 8], Precision = Precision.Auto };

    [Theory]
    [InlineData(10.0, 8.9, Precision.BFloat16)]
    [InlineData(10.0, 9.1, Precision.Float32)]
    [InlineData(10.0, 10.0, Precision.Float32)]
    [InlineData(10.0, 12.0, Precision.Float32)]
    public void Bfloat16_is_chosen_only_when_faster_by_more_than_the_margin(double float32Ms, double bfloat16Ms, Precision expected)
    {
        CalibrationTiming.FasterPrecision(float32Ms, bfloat16Ms, StackedMlp.BFloat16Margin).Should().Be(expected);
        StackedMlp.BFloat16Margin.Should().Be(0.10);
    }

    [Fact]
    public void An_auto_stack_runs_float32_until_set_and_bfloat16_after()
    {
        manual_seed(3);
        using var mlp = new StackedMlp("mlp", 2, 5, Auto);
        using var scope = NewDisposeScope();
        var x = randn(2, 6, 5);

        mlp.ComputePrecision.Should().Be(Precision.Float32);
        mlp.ComputeType.Should().Be(ScalarType.Float32);
        var float32 = mlp.forward(x);
        mlp.ComputePrecision = Precision.BFloat16;
        var bfloat16 = mlp.forward(x);

        mlp.ComputeType.Should().Be(ScalarType.BFloat16);
        bfloat16.dtype.Should().Be(ScalarType.Float32, "the output is float32 in either precision");
        var difference = (bfloat16 - float32).abs().max().item<float>();
        difference.Should().BeGreaterThan(0f, "the products were rounded to bfloat16").And.BeLessThan(0.1f);
    }

    [Fact]
    public void Only_float32_or_bfloat16_can_be_set_and_only_on_an_auto_stack()
    {
        using var auto = new StackedMlp("auto", 1, 3, Auto);
        using var fixedFloat = new StackedMlp("fixed", 1, 3, Auto with { Precision = Precision.Float32 });

        FluentActions.Invoking(() => auto.ComputePrecision = Precision.Auto).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("value");
        FluentActions.Invoking(() => fixedFloat.ComputePrecision = Precision.BFloat16).Should().Throw<InvalidOperationException>().WithMessage("fixed: built with Precision Float32*");
        fixedFloat.ComputePrecision = Precision.Float32;
        fixedFloat.ComputePrecision.Should().Be(Precision.Float32);
        FluentActions.Invoking(() => fixedFloat.CalibratePrecision(rows: 4)).Should().Throw<InvalidOperationException>().WithMessage("fixed: *only a stack built with Precision Auto is calibrated*");
        FluentActions.Invoking(() => auto.CalibratePrecision(rows: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("rows");
        FluentActions.Invoking(() => auto.CalibratePrecision(rows: 4, repeats: 0)).Should().Throw<ArgumentOutOfRangeException>().WithParameterName("repeats");
    }

    [Fact]
    public void An_undefined_precision_is_refused_when_the_stack_is_built()
    {
        var act = () => new StackedMlp("mlp", 1, 3, Auto with { Precision = (Precision)7 });

        act.Should().Throw<ArgumentException>().WithMessage("mlp: precision must be Float32, BFloat16 or Auto, not 7.");
    }

    [Fact]
    public void Calibration_keeps_the_timed_choice_and_leaves_gradients_statistics_and_the_generator_as_they_were()
    {
        manual_seed(8);
        using var mlp = new StackedMlp("mlp", 3, 6, Auto with { BatchNorm = true });
        using var scope = NewDisposeScope();
        mlp.train();
        mlp.forward(randn(3, 10, 6)).sum().backward();
        mlp.Weight(1).grad = null;
        var gradients = mlp.parameters().Select(p => p.grad?.clone()).ToArray();
        var statistics = mlp.buffers().Select(b => b.clone()).ToArray();
        statistics.Should().NotBeEmpty();
        manual_seed(99);
        var expectedDraw = rand(4);
        manual_seed(99);

        var (float32Ms, bfloat16Ms) = mlp.CalibratePrecision(rows: 64);

        rand(4).allclose(expectedDraw, rtol: 0, atol: 0).Should().BeTrue("the random inputs come from the calibration's own generator");
        float32Ms.Should().BeGreaterThan(0);
        bfloat16Ms.Should().BeGreaterThan(0);
        mlp.ComputePrecision.Should().Be(CalibrationTiming.FasterPrecision(float32Ms, bfloat16Ms, StackedMlp.BFloat16Margin));
        var parameters = mlp.parameters().ToArray();
        for (var i = 0; i < parameters.Length; i++)
        {
            if (gradients[i] is { } before)
            {
                parameters[i].grad!.allclose(before, rtol: 0, atol: 0).Should().BeTrue($"gradient {i} is put back");
            }
            else
            {
                parameters[i].grad.Should().BeNull("a gradient that was missing stays missing");
            }
        }

        mlp.buffers().Zip(statistics).Should().OnlyContain(p => p.First.allclose(p.Second, 0, 0, false), "the batch-norm statistics are put back");
    }

    [Fact]
    public void Calibrating_an_expert_pool_puts_its_batch_norm_statistics_back()
    {
        manual_seed(6);
        using var pool = new ExpertPool("pool", 2, 5, new MlpOptions { HiddenUnits = [8], BatchNorm = true });
        using var scope = NewDisposeScope();
        var statistics = pool.buffers().Select(b => b.clone()).ToArray();

        pool.Calibrate(rows: 16);

        pool.buffers().Zip(statistics).Should().OnlyContain(p => p.First.allclose(p.Second, 0, 0, false));
        pool.parameters().Should().OnlyContain(p => ReferenceEquals(p.grad, null));
    }
}
