using STEM.Recommenders.Models;

namespace STEM.Recommenders.Tests.Models;

/// <summary>The FLOP count of a built model against the products written out by hand.</summary>
public class ModelComputeTests
{
    // TinyData.Layout: 5 fields of width 4, so every view is 20 wide.
    private const int In = 20;

    /// <summary>Forward FLOP of one MLP on one row: Σ 2 · in · out over its linear layers.</summary>
    private static double Mlp(int input, int[] hidden, int? output = null)
    {
        double total = 0;
        var previous = input;
        foreach (var h in hidden.Concat(output is { } o ? [o] : Array.Empty<int>()))
        {
            total += 2.0 * previous * h;
            previous = h;
        }

        return total;
    }

    [Fact]
    public void Stem_net_with_two_tasks_and_two_shared_experts()
    {
        using var model = new StemNet(TinyData.Layout, TinyData.Tasks2, (StemNetOptions)TinyData.Small(StemNet.Name));

        // 2 task experts + 2 shared experts of [8, 6]: 4 · 2 · (20·8 + 8·6) = 1664.
        // 2 task gates [5] → 4 experts: 2 · 2 · (20·5 + 5·4) = 480. 2 towers [4] → 1 on 6: 2 · 2 · (6·4 + 4·1) = 112.
        var flops = ModelCompute.Count(model);

        flops.ExpertForwardPerSample.Should().Be(1664);
        flops.ForwardPerSample.Should().Be(1664 + 480 + 112);
        flops.ForwardPerSample.Should().Be((4 * Mlp(In, [8, 6])) + (2 * Mlp(In, [5], 4)) + (2 * Mlp(6, [4], 1)));
        flops.BackwardPerSample.Should().Be(2 * 2256);
        flops.TrainingPerSample.Should().Be(3 * 2256);
        flops.ExpertShare.Should().BeApproximately(1664.0 / 2256, 1e-12);
        flops.Layers.Where(l => l.IsExpert).Select(l => (l.Matrices, l.InputWidth, l.OutputWidth)).Should().Equal((4, 20, 8), (4, 8, 6));
    }

    [Fact]
    public void Stem_net_with_two_layers_counts_the_shared_gate_and_the_second_expert_layer()
    {
        var options = (StemNetOptions)TinyData.Small(StemNet.Name) with { Layers = 2 };
        using var model = new StemNet(TinyData.Layout, TinyData.Tasks2, options);

        // Layer 0: 4 experts on 20 (1664) and 3 gates (2 tasks + shared) on 20 (3 · 240 = 720);
        // layer 1: 4 experts on 6 (4 · 2 · (6·8 + 8·6) = 768) and 2 gates on 6 (2 · 2 · (6·5 + 5·4) = 200); towers 112.
        var flops = ModelCompute.Count(model);

        flops.ForwardPerSample.Should().Be(1664 + 720 + 768 + 200 + 112);
        flops.ExpertForwardPerSample.Should().Be(1664 + 768);
    }

    [Fact]
    public void Mmoe_runs_every_expert_on_the_one_shared_view()
    {
        using var model = ModelCatalog.Create(Mmoe.Name, TinyData.Layout, TinyData.Tasks2, TinyData.Small(Mmoe.Name));

        // 3 experts [8, 6] on 20: 1248; 2 gates [5] → 3 on 20: 2 · 2 · (100 + 15) = 460; towers 112.
        var flops = ModelCompute.Count(model);

        flops.ExpertForwardPerSample.Should().Be(3 * Mlp(In, [8, 6]));
        flops.ForwardPerSample.Should().Be(1248 + 460 + 112);
    }
}
