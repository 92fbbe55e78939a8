using STEM.Recommenders.Models;
using STEM.Recommenders.Tests.Infrastructure;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>
/// Adam's coefficients and the loss weightings' formulas checked against numbers computed here by
/// hand, with non-default hyper-parameters, several steps and the edge cases of their checks (the
/// mutation run in docs/testing.md showed which of them no test asserted).
/// </summary>
public class OptimizerAndWeightingValueTests
{
    /// <summary>PyTorch's Adam, written out in doubles.</summary>
    private static double[] ReferenceAdam(double p, double[] gradients, double lr, double beta1, double beta2, double eps)
    {
        double m = 0, v = 0;
        var trace = new double[gradients.Length];
        for (var t = 1; t <= gradients.Length; t++)
        {
            var g = gradients[t - 1];
            m = (beta1 * m) + ((1 - beta1) * g);
            v = (beta2 * v) + ((1 - beta2) * g * g);
            var denominator = (Math.Sqrt(v) / Math.Sqrt(1 - Math.Pow(beta2, t))) + eps;
            p -= lr / (1 - Math.Pow(beta1, t)) * m / denominator;
            trace[t - 1] = p;
        }

        return trace;
    }

    [Fact]
    public void Dense_adam_follows_pytorchs_update_with_every_hyper_parameter_in_play()
    {
        using var scope = NewDisposeScope();
        using var parameter = new Parameter(tensor(new[] { 1.0, -2.0 }, ScalarType.Float64));
        using var skipped = new Parameter(tensor(new[] { 5.0 }, ScalarType.Float64));
        using var adam = new DenseAdam([parameter, skipped], beta1: 0.5, beta2: 0.75, eps: 0.1);
        double[] g0 = [2, 4, -3];
        double[] g1 = [-1, 0.5, 0.25];

        for (var step = 0; step < g0.Length; step++)
        {
            adam.Step(0.1, [tensor(new[] { g0[step], g1[step] }, ScalarType.Float64), null]);
        }

        adam.StepCount.Should().Be(3);
        var expected0 = ReferenceAdam(1.0, g0, 0.1, 0.5, 0.75, 0.1)[^1];
        var expected1 = ReferenceAdam(-2.0, g1, 0.1, 0.5, 0.75, 0.1)[^1];
        parameter[0].item<double>().Should().BeApproximately(expected0, 1e-12);
        parameter[1].item<double>().Should().BeApproximately(expected1, 1e-12);
        skipped.item<double>().Should().Be(5.0, "a null gradient skips its parameter");
    }

    [Fact]
    public void Adam_coefficients_update_the_moments_and_apply_the_bias_corrected_step()
    {
        using var scope = NewDisposeScope();
        using var adam = new AdamCoefficients(0.5, 0.75, 0.1);
        var m = tensor(new[] { 1.0 }, ScalarType.Float64);
        var v = tensor(new[] { 2.0 }, ScalarType.Float64);
        var p = tensor(new[] { 3.0 }, ScalarType.Float64);

        adam.UpdateMoments(m, v, tensor(new[] { 4.0 }, ScalarType.Float64));

        m.item<double>().Should().Be((0.5 * 1) + (0.5 * 4));
        v.item<double>().Should().Be((0.75 * 2) + (0.25 * 16));

        adam.Apply(p, m, v, learningRate: 0.2, step: 2);

        var expected = 3.0 - (0.2 / (1 - 0.25) * 2.5 / ((Math.Sqrt(5.5) / Math.Sqrt(1 - 0.5625)) + 0.1));
        p.item<double>().Should().BeApproximately(expected, 1e-12);
    }

    [Fact]
    public void Dense_adam_state_round_trips_and_refuses_another_parameter_count()
    {
        using var scope = NewDisposeScope();
        using var a = new Parameter(tensor(new[] { 1.0, 2.0 }, ScalarType.Float64));
        using var b = new Parameter(tensor(new[] { 1.0, 2.0 }, ScalarType.Float64));
        using var first = new DenseAdam([a]);
        first.Step(0.01, [tensor(new[] { 0.5, -0.5 }, ScalarType.Float64)]);
        first.Step(0.01, [tensor(new[] { 0.25, 1.0 }, ScalarType.Float64)]);
        using var stream = SavedState.Of(first.Save);

        using var second = new DenseAdam([b]);
        using (no_grad())
        {
            b.copy_(a);
        }

        using (var reader = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            second.Load(reader);
        }

        second.StepCount.Should().Be(2);
        first.Step(0.01, [tensor(new[] { 1.0, 1.0 }, ScalarType.Float64)]);
        second.Step(0.01, [tensor(new[] { 1.0, 1.0 }, ScalarType.Float64)]);
        b.data<double>().ToArray().Should().Equal(a.data<double>().ToArray());

        using var c = new Parameter(tensor(new[] { 0.0 }, ScalarType.Float64));
        using var d = new Parameter(tensor(new[] { 0.0 }, ScalarType.Float64));
        using var two = new DenseAdam([c, d]);
        stream.Position = 0;
        using var again = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        FluentActions.Invoking(() => two.Load(again)).Should().Throw<InvalidDataException>()
            .WithMessage("The optimizer state has 1 parameters; this optimizer has 2.");
    }

    [Theory]
    [InlineData(-0.5)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void Fixed_weights_must_be_finite_and_non_negative(double bad)
    {
        FluentActions.Invoking(() => new FixedWeighting([1.0, bad])).Should().Throw<ArgumentException>().WithParameterName("weights");
        FluentActions.Invoking(() => new GradNormWeighting(bad)).Should().Throw<ArgumentException>().WithParameterName("alpha");
    }

    [Fact]
    public void Zero_weights_and_a_zero_alpha_are_allowed()
    {
        using var zero = new FixedWeighting([0.0, 0.0]);
        using var gradnorm = new GradNormWeighting(0);
        zero.Name.Should().Be("fixed");
        gradnorm.Name.Should().Be("gradnorm");
    }

    [Fact]
    public void Fixed_weighting_defaults_to_one_per_task_adds_the_auxiliary_loss_and_checks_the_task_count()
    {
        using var model = TwoTaskModel();
        using var equal = new FixedWeighting();
        equal.Attach(model);
        equal.CurrentWeights().Should().Equal(1.0, 1.0);
        equal.Parameters.Should().BeEmpty();
        using var scope = NewDisposeScope();
        var losses = tensor(new float[] { 1f, 3f }).requires_grad_(true);
        var auxiliary = tensor(0.25f).requires_grad_(true);

        equal.Backward(losses, auxiliary).item<float>().Should().Be(4.25f);
        auxiliary.grad!.item<float>().Should().Be(1f);

        using var three = new FixedWeighting([1.0, 2.0, 3.0]);
        FluentActions.Invoking(() => three.Attach(model)).Should().Throw<ArgumentException>().WithMessage("3 task weights were given for 2 tasks.");
    }

    [Fact]
    public void Uncertainty_weighting_away_from_zero_matches_the_formula_and_round_trips()
    {
        using var model = TwoTaskModel();
        using var weighting = new UncertaintyWeighting();
        weighting.Parameters.Should().BeEmpty();
        FluentActions.Invoking(() => weighting.LogVariance).Should().Throw<InvalidOperationException>();
        weighting.Attach(model);
        weighting.Parameters.Should().ContainSingle();
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            weighting.LogVariance.copy_(tensor(new float[] { (float)Math.Log(2), -1f }));
        }

        var losses = tensor(new float[] { 4f, 1f }).requires_grad_(true);
        var auxiliary = tensor(0.5f).requires_grad_(true);

        // Σ L/(2e^s) + s/2 + aux = 4/4 + ln2/2 + e/2 − 1/2 + 0.5.
        var total = weighting.Backward(losses, auxiliary);

        total.item<float>().Should().BeApproximately((float)(1 + (Math.Log(2) / 2) + (Math.E / 2) - 0.5 + 0.5), 1e-5f);
        losses.grad![0].item<float>().Should().BeApproximately(0.25f, 1e-6f);
        losses.grad![1].item<float>().Should().BeApproximately((float)(Math.E / 2), 1e-5f);
        weighting.LogVariance.grad![0].item<float>().Should().BeApproximately(-0.5f, 1e-6f);
        weighting.LogVariance.grad![1].item<float>().Should().BeApproximately((float)(0.5 - (Math.E / 2)), 1e-5f);
        weighting.CurrentWeights()[0].Should().BeApproximately(0.25, 1e-6);
        weighting.CurrentWeights()[1].Should().BeApproximately(Math.E / 2, 1e-6);

        using var stream = SavedState.Of(weighting.Save);

        using var restored = new UncertaintyWeighting();
        restored.Attach(model);
        using (var reader = new BinaryReader(stream))
        {
            restored.Load(reader);
        }

        restored.CurrentWeights().Should().Equal(weighting.CurrentWeights());
    }

    [Fact]
    public void Gradnorm_renormalises_after_a_step_with_a_floor_and_round_trips_its_initial_losses()
    {
        using var model = TwoTaskModel();
        using var weighting = new GradNormWeighting(alpha: 1.0);
        weighting.Parameters.Should().BeEmpty();
        FluentActions.Invoking(() => weighting.TaskWeights).Should().Throw<InvalidOperationException>();
        weighting.Attach(model);
        weighting.CurrentWeights().Should().Equal(1.0, 1.0);
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            weighting.TaskWeights.copy_(tensor(new float[] { -1f, 3f }));
        }

        weighting.AfterStep();

        var w = weighting.CurrentWeights();
        w[0].Should().BeApproximately(2e-6 / 3.000001, 1e-9, "negative weights are floored at 1e-6 before renormalising");
        w[1].Should().BeApproximately(6 / 3.000001, 1e-6);
        (w[0] + w[1]).Should().BeApproximately(2, 1e-6);

        // A second step's targets use the first step's losses: r = (L/L0) / mean = (1, 3)/2 with α = 1.
        var shared = model.LastSharedLayer!;
        using (no_grad())
        {
            shared.fill_(1f);
            weighting.TaskWeights.fill_(1f);
        }

        weighting.Backward(stack([shared[0, 0, 0] * 2, shared[0, 0, 1] * 3]), null);
        weighting.TaskWeights.grad!.zero_();
        shared.grad!.zero_();
        var total = weighting.Backward(stack([shared[0, 0, 0] * 2, shared[0, 0, 1] * 9]), tensor(1f));

        // G = (2, 9), mean 5.5; L/L0 = (1, 3), r = (0.5, 1.5); targets (2.75, 8.25): G0 below, G1 above.
        total.item<float>().Should().Be(12f);
        weighting.TaskWeights.grad!.data<float>().ToArray().Should().Equal(-2f, 9f);

        using var stream = SavedState.Of(weighting.Save);

        using var restored = new GradNormWeighting(alpha: 1.0);
        restored.Attach(model);
        using (var reader = new BinaryReader(stream))
        {
            restored.Load(reader);
        }

        // The restored initial losses make the same step give the same weight gradient.
        shared.grad!.zero_();
        var again = restored.Backward(stack([shared[0, 0, 0] * 2, shared[0, 0, 1] * 9]), null);
        again.item<float>().Should().Be(11f);
        restored.TaskWeights.grad!.data<float>().ToArray().Should().Equal(-2f, 9f);
    }

    [Fact]
    public void Gradnorm_targets_scale_the_mean_norm_up_for_a_slower_task_and_survive_a_round_trip()
    {
        using var model = TwoTaskModel();
        using var weighting = new GradNormWeighting(alpha: 1.0);
        weighting.Attach(model);
        weighting.Parameters.Should().ContainSingle().Which.Should().BeSameAs(weighting.TaskWeights);
        var shared = model.LastSharedLayer!;
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            shared.fill_(1f);
        }

        // The first step fixes the initial losses at (3, 1).
        weighting.Backward(stack([shared[0, 0, 0] * 3, shared[0, 0, 1] * 1]), null);
        using var stream = SavedState.Of(weighting.Save);

        // Losses (3, 3): L/L0 = (1, 3), r = (0.5, 1.5); both norms G are 3, so mean(G) = 3 and the
        // targets 3·r = (1.5, 4.5) put task 0 above its target and task 1 below: w.grad = (+3, −3).
        // Targets mean(G) / r = (6, 2) would give the opposite signs, and forgotten initial losses
        // (r = 1, targets = G) a zero gradient.
        var total = weighting.Backward(stack([shared[0, 0, 0] * 3, shared[0, 0, 1] * 3]), null);
        total.item<float>().Should().Be(6f);
        weighting.TaskWeights.grad!.data<float>().ToArray().Should().Equal(3f, -3f);

        using var restored = new GradNormWeighting(alpha: 1.0);
        restored.Attach(model);
        restored.Load(new BinaryReader(stream));
        restored.Backward(stack([shared[0, 0, 0] * 3, shared[0, 0, 1] * 3]), null);
        restored.TaskWeights.grad!.data<float>().ToArray().Should().Equal(3f, -3f);
    }

    [Fact]
    public void Gradnorm_saved_before_its_first_step_restores_without_initial_losses()
    {
        using var model = TwoTaskModel();
        using var fresh = new GradNormWeighting(alpha: 1.0);
        fresh.Attach(model);
        using var stream = SavedState.Of(fresh.Save);

        using var restored = new GradNormWeighting(alpha: 1.0);
        restored.Attach(model);
        restored.Load(new BinaryReader(stream));

        stream.Position.Should().Be(stream.Length, "the state is the weights and a flag, nothing more");
        var shared = model.LastSharedLayer!;
        using var scope = NewDisposeScope();
        using (no_grad())
        {
            shared.fill_(1f);
        }

        // The restored weighting takes its initial losses now: r = 1, so both targets are mean(G) = 5.5
        // for G = (2, 9), and w.grad = (−2, +9).
        restored.Backward(stack([shared[0, 0, 0] * 2, shared[0, 0, 1] * 9]), null);
        restored.TaskWeights.grad!.data<float>().ToArray().Should().Equal(-2f, 9f);
    }

    [Fact]
    public void Gradnorm_on_a_real_forward_trains_the_model_on_the_weighted_sum_and_allows_a_task_without_the_shared_layer()
    {
        using var model = TwoTaskModel();
        model.eval();
        using var weighting = new GradNormWeighting();
        weighting.Attach(model);
        using var scope = NewDisposeScope();
        var batch = TinyData.Batch(TinyData.Layout, 16);
        var labels = tensor(Enumerable.Range(0, 32).Select(i => (float)(i * 7 % 3 == 0 ? 1 : 0)).ToArray()).view(16, 2);
        var tower = model.named_parameters().Last().parameter;

        // Task 1's loss here reads only the last tower parameter, which lies after the shared layer.
        Tensor Losses() => stack([MultiTaskLoss.PerTask(model.forward(batch).Logits, labels, null)[0], tower.square().sum()]);

        weighting.Backward(Losses(), null);
        var gradients = model.parameters().Select(p => p.grad!.clone()).ToArray();
        weighting.TaskWeights.grad![1].item<float>().Should().Be(0f, "a task whose loss does not reach the shared layer has a zero norm, whatever its weight");
        double.IsFinite(weighting.TaskWeights.grad![0].item<float>()).Should().BeTrue();

        foreach (var p in model.parameters())
        {
            p.grad!.fill_(0f);
        }

        Losses().sum().backward();
        var expected = model.parameters().Select(p => p.grad!).ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            allclose(gradients[i], expected[i], rtol: 1e-5, atol: 1e-7).Should().BeTrue($"parameter {i} gets the gradient of w·L with w = 1");
        }
    }

    private static SharedBottom TwoTaskModel()
    {
        manual_seed(1);
        return new SharedBottom(TinyData.Layout, TinyData.Tasks2, (SharedBottomOptions)TinyData.Small(SharedBottom.Name));
    }
}
