using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Modules;

/// <summary>Separate expert products against the batched pool: the same values and gradients, and a calibration that picks one.</summary>
public class ExpertExecutionTests
{
    private static readonly MlpOptions Shape = new() { HiddenUnits = [8, 6] };

    private static (Tensor Output, Tensor[] Gradients) Run(ExpertPool pool, Tensor input)
    {
        foreach (var p in pool.parameters())
        {
            p.grad?.zero_();
        }

        input.grad?.zero_();
        var output = pool.forward(input);
        (output * arange(output.numel()).view(output.shape).to(output.dtype).cos()).sum().backward();
        return (output.detach().clone(), pool.parameters().Select(p => p.grad!.clone()).Append(input.grad!.clone()).ToArray());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Separate_products_give_the_batched_values_and_gradients(bool withViews)
    {
        manual_seed(3);
        int[] views = [0, 1, 2, 2, 2];
        using var pool = new ExpertPool("pool", 5, 7, Shape, withViews ? views : null);
        using var scope = NewDisposeScope();
        var input = (withViews ? randn(3, 10, 7) : randn(10, 7)).requires_grad_(true);

        var (batched, batchedGradients) = Run(pool, input);
        pool.Execution = ExpertExecution.Separate;
        var (separate, separateGradients) = Run(pool, input);

        separate.shape.Should().Equal(5, 10, 6);
        allclose(separate, batched, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        separateGradients.Should().HaveCount(batchedGradients.Length);
        for (var i = 0; i < batchedGradients.Length; i++)
        {
            allclose(separateGradients[i], batchedGradients[i], rtol: 1e-5, atol: 1e-6).Should().BeTrue($"gradient {i} matches");
        }

        batchedGradients[^1].abs().sum().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Stem_net_with_separate_experts_keeps_its_logits_and_the_breakdown_still_adds_up()
    {
        manual_seed(7);
        using var model = new StemNet(TinyData.Layout, TinyData.Tasks2, (StemNetOptions)TinyData.Small(StemNet.Name));
        model.train();
        using var scope = NewDisposeScope();
        var batch = TinyData.Batch(TinyData.Layout, 16);
        var batched = model.forward(batch).Logits.detach().clone();
        var pools = model.modules().OfType<ExpertPool>().ToArray();
        pools.Should().ContainSingle();
        pools[0].Execution = ExpertExecution.Separate;

        allclose(model.forward(batch).Logits, batched, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
        var timed = StemStepBreakdown.TimedForward(model, batch, new PhaseClock()).Logits;
        allclose(timed, batched, rtol: 1e-5, atol: 1e-6).Should().BeTrue();
    }

    [Fact]
    public void Calibrate_times_both_keeps_the_faster_and_puts_the_gradients_back()
    {
        manual_seed(5);
        using var pool = new ExpertPool("pool", 3, 7, Shape, [0, 1, 1]);
        using var scope = NewDisposeScope();
        pool.forward(randn(2, 4, 7)).sum().backward();
        var before = pool.parameters().Select(p => p.grad!.clone()).ToArray();
        var weights = pool.parameters().Select(p => p.detach().clone()).ToArray();

        var (batchedMs, separateMs) = pool.Calibrate(rows: 32);

        batchedMs.Should().BeGreaterThan(0);
        separateMs.Should().BeGreaterThan(0);
        pool.Execution.Should().Be(separateMs < batchedMs ? ExpertExecution.Separate : ExpertExecution.Batched);
        var after = pool.parameters().ToArray();
        for (var i = 0; i < after.Length; i++)
        {
            allclose(after[i].grad!, before[i], rtol: 0, atol: 0).Should().BeTrue();
            allclose(after[i].detach(), weights[i], rtol: 0, atol: 0).Should().BeTrue();
        }
    }

    [Fact]
    public void Separate_execution_refuses_batch_norm()
    {
        using var pool = new ExpertPool("pool", 2, 4, Shape with { BatchNorm = true });

        var act = () => pool.Execution = ExpertExecution.Separate;

        act.Should().Throw<InvalidOperationException>().WithMessage("*batch norm*");
        pool.Execution.Should().Be(ExpertExecution.Batched);
    }
}
