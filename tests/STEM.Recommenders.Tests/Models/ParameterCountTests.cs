using STEM.Recommenders.Models;

namespace STEM.Recommenders.Tests.Models;

/// <summary>Each model's parameter count against a formula written out by hand.</summary>
public class ParameterCountTests
{
    // TinyData.Layout: rows 5, 7, 4 (pad+OOV... as given), 6, 4 task-specific (= 26 rows) and 3 shared-only rows; 5 fields.
    private const long WideRows = 5 + 7 + 6 + 4;
    private const long SharedRows = 3;
    private const int Fields = 5;
    private const int D = 4;
    private const int In = Fields * D;

    /// <summary>Parameters of one MLP: Σ (in·out + out) over its linear layers.</summary>
    private static long Mlp(int input, int[] hidden, int? output = null)
    {
        long total = 0;
        var previous = input;
        foreach (var h in hidden.Concat(output is { } o ? [o] : Array.Empty<int>()))
        {
            total += ((long)previous * h) + h;
            previous = h;
        }

        return total;
    }

    private static long Count(string name, string[] tasks) =>
        ModelCatalog.Create(name, TinyData.Layout, tasks, TinyData.Small(name)).TorchModule.parameters().Sum(p => p.numel());

    [Fact]
    public void Stem_net()
    {
        const int T = 3, E = (T * 1) + 2;
        var expected = (WideRows * (T + 1) * D) + (SharedRows * D)
            + (E * Mlp(In, [8, 6]))
            + (T * Mlp(In, [5], E))
            + (T * Mlp(6, [4], 1));

        Count(StemNet.Name, TinyData.Tasks3).Should().Be(expected);
    }

    [Fact]
    public void Stem_net_with_two_layers_adds_a_shared_gate_between_them()
    {
        const int T = 2, E = T + 2;
        var options = (StemNetOptions)TinyData.Small(StemNet.Name) with { Layers = 2 };
        var expected = (WideRows * (T + 1) * D) + (SharedRows * D)
            + (E * Mlp(In, [8, 6])) + ((T + 1) * Mlp(In, [5], E))
            + (E * Mlp(6, [8, 6])) + (T * Mlp(6, [5], E))
            + (T * Mlp(6, [4], 1));

        new StemNet(TinyData.Layout, TinyData.Tasks2, options).parameters().Sum(p => p.numel()).Should().Be(expected);
    }

    [Fact]
    public void Mmoe_and_omoe()
    {
        const int T = 3, E = 3;
        var embedding = (WideRows + SharedRows) * D;
        Count(Mmoe.Name, TinyData.Tasks3).Should().Be(embedding + (E * Mlp(In, [8, 6])) + (T * Mlp(In, [5], E)) + (T * Mlp(6, [4], 1)));
        Count(Omoe.Name, TinyData.Tasks3).Should().Be(embedding + (E * Mlp(In, [8, 6])) + Mlp(In, [5], E) + (T * Mlp(6, [4], 1)));
    }

    [Fact]
    public void Ple_with_two_levels()
    {
        const int T = 3, S = 1, K = 2, E = (T * S) + K;
        var expected = ((WideRows + SharedRows) * D)
            + (E * Mlp(In, [8, 6])) + (T * Mlp(In, [5], S + K)) + Mlp(In, [5], E)
            + (E * Mlp(6, [8, 6])) + (T * Mlp(6, [5], S + K))
            + (T * Mlp(6, [4], 1));

        Count(Ple.Name, TinyData.Tasks3).Should().Be(expected);
    }

    [Fact]
    public void Me_ple_and_me_mmoe_use_task_embedding_views()
    {
        const int T = 3, S = 1, K = 2, E = (T * S) + K;
        var embedding = (WideRows * (T + 1) * D) + (SharedRows * D);
        Count(MePle.Name, TinyData.Tasks3).Should().Be(
            embedding + (E * Mlp(In, [8, 6])) + (T * Mlp(In, [5], S + K)) + Mlp(In, [5], E)
            + (E * Mlp(6, [8, 6])) + (T * Mlp(6, [5], S + K)) + (T * Mlp(6, [4], 1)));
        Count(MeMmoe.Name, TinyData.Tasks3).Should().Be(embedding + (E * Mlp(In, [8, 6])) + (T * Mlp(In, [5], E)) + (T * Mlp(6, [4], 1)));
    }

    [Fact]
    public void Shared_bottom_and_single_task()
    {
        const int T = 3;
        var embedding = (WideRows + SharedRows) * D;
        var sharedBottom = embedding + Mlp(In, [8, 6]) + (T * Mlp(6, [4], 1));
        Count(SharedBottom.Name, TinyData.Tasks3).Should().Be(sharedBottom);
        Count(SingleTask.Name, TinyData.Tasks3).Should().Be(T * (embedding + Mlp(In, [8, 6]) + Mlp(6, [4], 1)));
    }

    [Fact]
    public void Esmm_and_aitm()
    {
        const int T = 3, H = 6;
        var embedding = (WideRows + SharedRows) * D;
        Count(Esmm.Name, TinyData.Tasks3).Should().Be(embedding + (T * Mlp(In, [8, 6], 1)));
        var ait = 4 * ((H * H) + H);
        Count(Aitm.Name, TinyData.Tasks3).Should().Be(embedding + (T * Mlp(In, [8, 6])) + ((T - 1) * ait) + (T * Mlp(H, [], 1)));
    }
}
