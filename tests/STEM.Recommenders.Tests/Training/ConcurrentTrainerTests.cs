using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>Two trainers in one process do not disturb each other's seeded randomness (dropout draws from the global generator).</summary>
public class ConcurrentTrainerTests
{
    private static TrainerOptions Options(long seed) => new()
    {
        Epochs = 2,
        BatchSize = 32,
        Patience = 5,
        Seed = seed,
        RestoreBestWeights = false,
        Optimizer = new OptimizerOptions { LearningRate = 3e-3 },
    };

    private static float[] TrainAndRead(EncodedSplits data, StemNet model, long seed)
    {
        new Trainer(Options(seed)).Fit(model, data.Train, data.Validation);
        return model.TorchModule.parameters().SelectMany(p => p.detach().cpu().contiguous().to(ScalarType.Float32).data<float>().ToArray()).ToArray();
    }

    private static StemNet Model(EncodedSplits data)
    {
        manual_seed(21);
        return new StemNet(data.Pipeline.Layout, data.Pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [16], GateUnits = [8], TowerUnits = [8], SharedExperts = 2, Dropout = 0.3 });
    }

    [Fact]
    public async Task Concurrent_fits_give_the_weights_of_the_same_fits_run_alone()
    {
        using var data = SyntheticSplits.Create(rows: 600);
        using var a = Model(data);
        using var b = Model(data);
        using var aloneA = Model(data);
        using var aloneB = Model(data);
        var expectedA = TrainAndRead(data, aloneA, seed: 1);
        var expectedB = TrainAndRead(data, aloneB, seed: 2);

        var both = await Task.WhenAll(
            Task.Run(() => TrainAndRead(data, a, seed: 1)),
            Task.Run(() => TrainAndRead(data, b, seed: 2)));

        expectedA.Should().NotEqual(expectedB, "the seeds differ");
        both[0].Should().Equal(expectedA);
        both[1].Should().Equal(expectedB);
    }
}
