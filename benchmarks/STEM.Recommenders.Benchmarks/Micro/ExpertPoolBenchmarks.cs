using BenchmarkDotNet.Attributes;
using STEM.Recommenders.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks.Micro;

/// <summary>
/// STEM-Net's expert layer on KuaiRand (3 tasks: 8 shared + 3 task-specific experts = 11, each
/// [512, 512, 512] over the 36 × 16 = 576-wide embedding), forward and backward for one 4096-row
/// batch: the batched <see cref="ExpertPool"/> (one bmm per layer) against 11 separate experts run in
/// a loop, as nn.Linear-based <see cref="Mlp"/>s (what PyTorch reference code does) and as
/// single-expert <see cref="StackedMlp"/>s. Every variant produces [11, B, units], sums it and
/// backpropagates into the weights and the input. <see cref="Units"/> = 512 is the paper's size
/// (4096 rows); 32 is a small expert layer (256 rows) where the per-operation cost that batching
/// removes is a large share of the work, as it is on a GPU.
/// </summary>
public class ExpertPoolBenchmarks
{
    private const int Experts = 11;
    private const int InputDim = 576;

    /// <summary>Width of each of the three expert layers.</summary>
    [Params(512, 32)]
    public int Units { get; set; }

    private ExpertPool? _pool;
    private Mlp[] _mlps = [];
    private StackedMlp[] _singles = [];
    private Tensor? _input;

    [GlobalSetup]
    public void Setup()
    {
        MicroSetup.InitializeTorch();
        manual_seed(2023);
        var expertOptions = new MlpOptions { HiddenUnits = [Units, Units, Units] };
        var rows = Units >= 512 ? MicroSetup.BatchSize : 256;
        _pool = new ExpertPool("pool", Experts, InputDim, expertOptions);
        _mlps = Enumerable.Range(0, Experts).Select(i => new Mlp($"expert{i}", InputDim, expertOptions)).ToArray();
        _singles = Enumerable.Range(0, Experts).Select(i => new StackedMlp($"expert{i}", 1, InputDim, expertOptions)).ToArray();
        _input = randn(rows, InputDim).requires_grad_(true);
    }

    [Benchmark(Baseline = true, Description = "ExpertPool (11 experts batched)")]
    public void BatchedPool()
    {
        using var scope = NewDisposeScope();
        _pool!.forward(_input!).sum().backward();
        _pool.zero_grad();
        _input!.grad?.zero_();
    }

    [Benchmark(Description = "11 x Mlp (nn.Linear) in a loop")]
    public void MlpLoop()
    {
        using var scope = NewDisposeScope();
        stack(_mlps.Select(m => m.forward(_input!)).ToArray()).sum().backward();
        foreach (var m in _mlps)
        {
            m.zero_grad();
        }

        _input!.grad?.zero_();
    }

    [Benchmark(Description = "11 x StackedMlp(count 1) in a loop")]
    public void StackedMlpLoop()
    {
        using var scope = NewDisposeScope();
        cat(_singles.Select(m => m.forward(_input!)).ToArray(), 0).sum().backward();
        foreach (var m in _singles)
        {
            m.zero_grad();
        }

        _input!.grad?.zero_();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pool?.Dispose();
        foreach (var m in _mlps)
        {
            m.Dispose();
        }

        foreach (var m in _singles)
        {
            m.Dispose();
        }

        _input?.Dispose();
    }
}
