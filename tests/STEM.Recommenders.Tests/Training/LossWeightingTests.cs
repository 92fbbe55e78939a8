using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

public class LossWeightingTests
{
    [Fact]
    public void Fixed_weighting_is_a_weighted_sum()
    {
        using var model = TwoTaskModel();
        using var weighting = new FixedWeighting([2.0, 0.5]);
        weighting.Attach(model);
        using var scope = NewDisposeScope();
        var x = tensor(new float[] { 1f, 3f }).requires_grad_(true);

        var total = weighting.Backward(x * 2, null);

        total.item<float>().Should().Be((2 * 2) + (0.5f * 6));
        x.grad!.data<float>().ToArray().Should().Equal(4f, 1f);
    }

    [Fact]
    public void Uncertainty_weighting_matches_kendall_et_al_by_hand()
    {
        using var model = TwoTaskModel();
        using var weighting = new UncertaintyWeighting();
        weighting.Attach(model);
        using var scope = NewDisposeScope();
        var losses = tensor(new float[] { 1f, 3f }).requires_grad_(true);

        // s = 0: Σ L/(2e^0) + 0/2 = 2; ∂/∂s_t = −L_t/2 + 1/2 = [0, −1]; ∂/∂L_t = 1/2.
        var total = weighting.Backward(losses, null);

        total.item<float>().Should().BeApproximately(2f, 1e-6f);
        weighting.LogVariance.grad!.data<float>().ToArray().Should().Equal(0f, -1f);
        losses.grad!.data<float>().ToArray().Should().Equal(0.5f, 0.5f);
        weighting.CurrentWeights().Should().Equal(0.5, 0.5);
    }

    [Fact]
    public void Gradnorm_balances_gradient_norms_at_the_shared_layer_by_hand()
    {
        using var model = TwoTaskModel();
        using var weighting = new GradNormWeighting(alpha: 1.5);
        weighting.Attach(model);
        using var scope = NewDisposeScope();
        var shared = model.LastSharedLayer!;
        using (no_grad())
        {
            shared.fill_(1f);
        }

        // L0 = 2·W[0,0,0], L1 = 3·W[0,0,1]: G = (2, 3), mean 2.5, first step r = 1 so targets 2.5;
        // balance = |2 − 2.5| + |3 − 2.5| and ∂balance/∂w = (−2, +3).
        var l0 = shared[0, 0, 0] * 2;
        var l1 = shared[0, 0, 1] * 3;
        var total = weighting.Backward(stack([l0, l1]), null);

        total.item<float>().Should().Be(5f);
        weighting.TaskWeights.grad!.data<float>().ToArray().Should().Equal(-2f, 3f);
        shared.grad![0, 0, 0].item<float>().Should().Be(2f);
        shared.grad![0, 0, 1].item<float>().Should().Be(3f);

        using (no_grad())
        {
            weighting.TaskWeights.copy_(tensor(new float[] { 3f, 1f }));
        }

        weighting.AfterStep();
        weighting.CurrentWeights().Should().Equal(1.5, 0.5);
    }

    [Fact]
    public void Gradnorm_refuses_a_model_without_a_shared_layer()
    {
        using var model = new SingleTask(TinyData.Layout, TinyData.Tasks2, (SingleTaskOptions)TinyData.Small(SingleTask.Name));
        using var weighting = new GradNormWeighting();

        var act = () => weighting.Attach(model);

        act.Should().Throw<ArgumentException>().WithMessage("GradNorm balances gradients at a layer every task shares, and the model 'single-task' has none*");
    }

    [Fact]
    public void Unknown_weighting_names_are_clear_errors()
    {
        var act = () => LossWeightings.Create("dwa");

        act.Should().Throw<ArgumentException>().WithMessage("Unknown loss weighting 'dwa'; known: fixed, uncertainty, gradnorm.*");
        LossWeightings.Create("GradNorm").Should().BeOfType<GradNormWeighting>();
    }

    private static SharedBottom TwoTaskModel()
    {
        manual_seed(1);
        return new SharedBottom(TinyData.Layout, TinyData.Tasks2, (SharedBottomOptions)TinyData.Small(SharedBottom.Name));
    }
}
