using STEM.Recommenders.EncodedData;
using BenchmarkDotNet.Attributes;
using STEM.Recommenders.Data;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks.Micro;

/// <summary>
/// Forward + per-task loss + backward of one 4096-row batch for every model in
/// <see cref="ModelCatalog"/>, with default (paper) sizes on a KuaiRand-like layout. Embedding
/// gradients are row-sparse, as under the default optimizer; the optimizer step itself is not
/// included (the <c>train</c> command measures the whole step).
/// </summary>
public class ModelStepBenchmarks
{
    private IMultiTaskModel? _model;
    private FeatureBatch? _features;
    private Tensor? _labels;

    /// <summary>Every catalog model.</summary>
    public static IEnumerable<string> ModelNames => ModelCatalog.Names;

    [ParamsSource(nameof(ModelNames))]
    public string Model { get; set; } = StemNet.Name;

    [GlobalSetup]
    public void Setup()
    {
        MicroSetup.InitializeTorch();
        manual_seed(2023);
        var layout = KuaiRandLayout.Create();
        _model = ModelCatalog.Create(Model, layout, KuaiRandLayout.Tasks);
        _model.TorchModule.train();
        foreach (var bank in _model.EmbeddingBanks)
        {
            bank.RowSparseGradients = true;
        }

        (_features, _labels) = KuaiRandLayout.RandomBatch(layout, MicroSetup.BatchSize, seed: 2023);
    }

    [Benchmark(Description = "forward+backward, 4096 rows")]
    public void ForwardBackward()
    {
        using var scope = NewDisposeScope();
        var output = _model!.Forward(_features!);
        var total = MultiTaskLoss.PerTask(output.Logits, _labels!, null).sum();
        if (_model.AuxiliaryLoss(output, _labels!, null) is { } auxiliary)
        {
            total = total + auxiliary;
        }

        total.backward();
        _model.TorchModule.zero_grad();
        foreach (var bank in _model.EmbeddingBanks)
        {
            bank.ClearLookups();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _model?.Dispose();
        _features?.Ids.Dispose();
        _features?.SlotWeights?.Dispose();
        _labels?.Dispose();
    }
}
