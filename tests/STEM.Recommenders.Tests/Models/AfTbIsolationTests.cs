using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Models;

/// <summary>The AFTB rule: task t's loss reaches only task t's and the shared parameters.</summary>
public class AfTbIsolationTests
{
    private const int D = 4;

    private static (StemNet Model, MultiTaskModel Any) Build(int layers, StemIsolation isolation)
    {
        manual_seed(11);
        var options = new StemNetOptions { EmbeddingDim = D, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2, SpecificExpertsPerTask = 1, Layers = layers, Isolation = isolation };
        var model = new StemNet(TinyData.Layout, TinyData.Tasks2, options);
        return (model, model);
    }

    private static void BackwardTask0(IMultiTaskModel model)
    {
        var batch = TinyData.Batch(TinyData.Layout, 16);
        var logits = model.Forward(batch).Logits;
        var labels = ones(16);
        nn.functional.binary_cross_entropy_with_logits(logits[.., 0], labels).backward();
    }

    private static Tensor Grad(IMultiTaskModel model, string name) =>
        model.TorchModule.named_parameters().Single(p => p.name == name).parameter.grad!;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void Task0_loss_gives_exactly_zero_gradient_to_task1_embeddings_and_experts(int layers)
    {
        var (model, _) = Build(layers, StemIsolation.Strict);
        using var _model = model;
        using var scope = NewDisposeScope();

        BackwardTask0(model);

        // Wide table row = [task0 view | task1 view | shared view], each D wide.
        var table = Grad(model, "net.embedding.task_table");
        table[.., ..D].abs().sum().item<float>().Should().BeGreaterThan(0, "task 0's own view learns");
        table[.., D..(2 * D)].abs().sum().item<float>().Should().Be(0, "task 1's view must not move");
        table[.., (2 * D)..].abs().sum().item<float>().Should().BeGreaterThan(0, "the shared view learns");
        Grad(model, "net.embedding.shared_table").abs().sum().item<float>().Should().BeGreaterThan(0);

        // Experts: 0 → task 0, 1 → task 1, 2-3 shared; in every layer.
        for (var l = 0; l < layers; l++)
        {
            foreach (var part in new[] { "weights.0", "biases.0", "weights.1" })
            {
                var g = Grad(model, $"net.experts.{l}.experts.{part}");
                g[0].abs().sum().item<float>().Should().BeGreaterThan(0, $"layer {l} task 0's expert learns ({part})");
                g[1].abs().sum().item<float>().Should().Be(0, $"layer {l} task 1's expert must not move ({part})");
                g[2..].abs().sum().item<float>().Should().BeGreaterThan(0, $"layer {l} shared experts learn ({part})");
            }
        }

        // Task 1's tower and gate get nothing either.
        Grad(model, "net.towers.towers.weights.0")[1].abs().sum().item<float>().Should().Be(0);
        Grad(model, $"net.gates.{layers - 1}.gates.weights.0")[1].abs().sum().item<float>().Should().Be(0);
    }

    [Fact]
    public void Reference_compatible_mode_leaks_task0_gradient_into_task1_experts_at_depth_2()
    {
        var (model, _) = Build(2, StemIsolation.ReferenceCompatible);
        using var _model = model;
        using var scope = NewDisposeScope();

        BackwardTask0(model);

        // The un-detached shared gate of layer 0 carries task 0's gradient into task 1's layer-0 expert.
        Grad(model, "net.experts.0.experts.weights.0")[1].abs().sum().item<float>().Should().BeGreaterThan(0);
        Grad(model, "net.embedding.task_table")[.., D..(2 * D)].abs().sum().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void Me_mmoe_has_no_stop_gradient()
    {
        manual_seed(11);
        using var model = new MeMmoe(TinyData.Layout, TinyData.Tasks2, (MeMmoeOptions)TinyData.Small(MeMmoe.Name));
        using var scope = NewDisposeScope();

        BackwardTask0(model);

        Grad(model, "net.experts.0.experts.weights.0")[1].abs().sum().item<float>().Should().BeGreaterThan(0);
    }

    [Fact]
    public void All_forward_task0_logits_depend_on_task1_experts()
    {
        var (model, _) = Build(1, StemIsolation.Strict);
        using var _model = model;
        model.eval();
        using var scope = NewDisposeScope();
        var batch = TinyData.Batch(TinyData.Layout, 8);

        var before = model.Forward(batch).Logits[.., 0].clone();
        using (no_grad())
        {
            foreach (var part in new[] { "weights.0", "biases.0", "weights.1", "biases.1" })
            {
                model.named_parameters().Single(p => p.name == $"net.experts.0.experts.{part}").parameter[1].add_(1.0);
            }
        }

        var after = model.Forward(batch).Logits[.., 0];

        (after - before).abs().max().item<float>().Should().BeGreaterThan(1e-6f);
    }

    [Fact]
    public void Gate_input_variant_task_only_changes_the_logits_but_keeps_isolation()
    {
        manual_seed(11);
        var options = new StemNetOptions { EmbeddingDim = D, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2, GateInput = STEM.Recommenders.Modules.GateInput.TaskOnly };
        using var model = new StemNet(TinyData.Layout, TinyData.Tasks2, options);
        using var scope = NewDisposeScope();

        BackwardTask0(model);

        Grad(model, "net.embedding.task_table")[.., D..(2 * D)].abs().sum().item<float>().Should().Be(0);
        Grad(model, "net.experts.0.experts.weights.0")[1].abs().sum().item<float>().Should().Be(0);
    }
}
