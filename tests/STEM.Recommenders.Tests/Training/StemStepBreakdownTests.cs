using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>The timed copy of STEM-Net's step: the same values as the model, and phases that add up to the step.</summary>
public class StemStepBreakdownTests
{
    private const int Rows = 16;

    private static StemNet Model(int layers = 1)
    {
        manual_seed(7);
        return new StemNet(TinyData.Layout, TinyData.Tasks2, (StemNetOptions)TinyData.Small(StemNet.Name) with { Layers = layers });
    }

    private static Batch BatchAt(long step)
    {
        var features = TinyData.Batch(TinyData.Layout, Rows, seed: 1 + step);
        using var generator = new Generator((ulong)(100 + step));
        var labels = randint(0, 2, [Rows, 2], generator: generator).to(ScalarType.Float32);
        return new Batch(features, labels, null, null);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void The_timed_forward_gives_the_models_logits_and_gradients(int layers)
    {
        using var model = Model(layers);
        model.train();
        using var scope = NewDisposeScope();
        var batch = BatchAt(0);
        var parameters = model.parameters().ToArray();

        var expected = model.forward(batch.Features).Logits;
        expected.sum().backward();
        var expectedGrads = parameters.Select(p => p.grad!.clone()).ToArray();
        foreach (var p in parameters)
        {
            p.grad!.zero_();
        }

        var timed = StemStepBreakdown.TimedForward(model, batch.Features, new PhaseClock()).Logits;
        timed.sum().backward();

        timed.shape.Should().Equal(Rows, 2);
        timed.allclose(expected, rtol: 0, atol: 0).Should().BeTrue("the timed copy runs the same operations in the same order");
        for (var i = 0; i < parameters.Length; i++)
        {
            allclose(parameters[i].grad!, expectedGrads[i], rtol: 1e-6, atol: 1e-9).Should().BeTrue($"parameter {i} gets the model's gradient");
        }

        expectedGrads.Sum(g => g.abs().sum().item<float>()).Should().BeGreaterThan(0);
    }

    [Fact]
    public void Every_phase_is_timed_and_the_phases_add_up_to_no_more_than_the_step()
    {
        using var model = Model();
        model.train();
        using var optimizer = new MultiTaskOptimizer(model, new OptimizerOptions());
        using var weighting = new FixedWeighting();
        weighting.Attach(model);

        var breakdown = StemStepBreakdown.Measure(model, optimizer, weighting, BatchAt, warmup: 1, steps: 3);

        breakdown.Steps.Should().Be(3);
        breakdown.Phases.Select(p => p.Name).Should().Equal(StemStepBreakdown.PhaseNames);
        breakdown.Phases.Should().OnlyContain(p => p.WallMs >= 0 && p.CpuMs >= 0);
        var sum = breakdown.Phases.Sum(p => p.WallMs);
        sum.Should().BeGreaterThan(0);
        sum.Should().BeLessThanOrEqualTo(breakdown.StepWallMs * (1 + 1e-9));
        breakdown.StepCpuMs.Should().BeGreaterThan(0);
        breakdown.AllocatedBytes.Should().BeGreaterThan(0);
        breakdown.Collections.Should().HaveCount(3);
    }
}
