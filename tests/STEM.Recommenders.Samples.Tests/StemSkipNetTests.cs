using STEM.Recommenders.EncodedData;
using CustomVariant;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Samples.Tests;

/// <summary>The CustomVariant sample's model: shapes, AFTB isolation through the skip path, and learning.</summary>
public class StemSkipNetTests
{
    private const int D = 4;

    /// <summary>Three task-specific single-slot fields, one shared-only field and a 3-slot multi-valued field.</summary>
    private static readonly FeatureLayout Layout = new(
    [
        ("a", 5L, 1, true),
        ("b", 7L, 1, true),
        ("c", 3L, 1, false),
        ("m", 6L, 3, true),
        ("d", 4L, 1, true),
    ]);

    private static readonly StemSkipOptions Tiny = new() { EmbeddingDim = D, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2, SkipDim = 3 };

    private static FeatureBatch Batch(int rows, long seed = 1)
    {
        using var generator = new Generator((ulong)seed);
        var ids = zeros(rows, Layout.SlotCount, ScalarType.Int64);
        foreach (var field in Layout.Fields)
        {
            for (var s = 0; s < field.SlotCount; s++)
            {
                ids[.., field.FirstSlot + s] = randint(field.Offset, field.Offset + field.Rows, [rows], dtype: ScalarType.Int64, generator: generator);
            }
        }

        return new FeatureBatch(ids, rand([rows, Layout.SlotCount], generator: generator));
    }

    private static Tensor Grad(IMultiTaskModel model, string name) =>
        model.TorchModule.named_parameters().Single(p => p.name == name).parameter.grad
        ?? throw new InvalidOperationException($"{name} has no gradient.");

    [Fact]
    public void Logits_are_batch_by_tasks_and_gate_weights_cover_every_expert()
    {
        manual_seed(3);
        using var model = new StemSkipNet(Layout, ["click", "long_view", "like"], Tiny);
        using var scope = NewDisposeScope();

        var output = model.Forward(Batch(16));

        output.Logits.shape.Should().Equal(16, 3);
        output.GateWeights!.shape.Should().Equal(3, 16, 3 + 2);
        model.ExpertOwners.Should().Equal(0, 1, 2, -1, -1);
        model.ModelName.Should().Be(StemSkipNet.Name);
    }

    [Fact]
    public void Task0_loss_gives_zero_gradient_to_task1_embeddings_experts_skip_and_tower()
    {
        manual_seed(11);
        using var model = new StemSkipNet(Layout, ["click", "like"], Tiny);
        using var scope = NewDisposeScope();

        var logits = model.Forward(Batch(16)).Logits;
        nn.functional.binary_cross_entropy_with_logits(logits[.., 0], ones(16)).backward();

        // Wide table row = [task 0 view | task 1 view | shared view], each D wide.
        var table = Grad(model, "embedding.task_table");
        table[.., ..D].abs().sum().item<float>().Should().BeGreaterThan(0, "task 0's own view learns");
        table[.., D..(2 * D)].abs().sum().item<float>().Should().Be(0, "task 1's view must not move");
        table[.., (2 * D)..].abs().sum().item<float>().Should().BeGreaterThan(0, "the shared view learns");

        // Experts: 0 → task 0, 1 → task 1, 2-3 shared.
        var experts = Grad(model, "experts.experts.weights.0");
        experts[0].abs().sum().item<float>().Should().BeGreaterThan(0);
        experts[1].abs().sum().item<float>().Should().Be(0, "task 1's expert must not move");
        experts[2..].abs().sum().item<float>().Should().BeGreaterThan(0);

        // The skip path and the tower of task 1 get nothing either.
        Grad(model, "skip.weights.0")[0].abs().sum().item<float>().Should().BeGreaterThan(0);
        Grad(model, "skip.weights.0")[1].abs().sum().item<float>().Should().Be(0);
        Grad(model, "towers.towers.weights.0")[1].abs().sum().item<float>().Should().Be(0);
    }

    [Fact]
    public void It_learns_on_the_synthetic_preset()
    {
        using var data = SyntheticMultiTaskGenerator.GenerateSplits(new SyntheticOptions { Rows = 1200, Tasks = 2, Dimensions = 6, Seed = 5 }).Encode();
        manual_seed(5);
        using var model = new StemSkipNet(data.Pipeline.Layout, data.Pipeline.TaskNames, Tiny with { EmbeddingInitStd = 0.05 });
        using var optimizer = optim.Adam(model.parameters(), lr: 0.01);
        var batch = data.Train.Batches(256).First();
        float Step()
        {
            using var scope = NewDisposeScope();
            optimizer.zero_grad();
            var output = model.Forward(batch.Features);
            var loss = MultiTaskLoss.PerTask(output.Logits, batch.Labels, batch.LabelMask).sum();
            loss.backward();
            optimizer.step();
            return loss.item<float>();
        }

        var first = Step();
        var last = first;
        for (var i = 0; i < 40; i++)
        {
            last = Step();
        }

        last.Should().BeLessThan(first * 0.8f, $"the summed loss should fall over 40 Adam steps (first {first}, last {last})");
    }
}
