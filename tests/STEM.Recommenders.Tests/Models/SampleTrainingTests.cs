using STEM.Recommenders.Datasets;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using TorchSharp;

namespace STEM.Recommenders.Tests.Models;

/// <summary>Every model trains for one epoch on the bundled KuaiRand sample and learns is_click and long_view.</summary>
public class SampleTrainingTests
{
    private static readonly Lazy<EncodedSplits> Data = new(() => KuaiRandPreset.LoadAsync(new KuaiRandOptions
    {
        LogPath = TestPaths.Sample("log.csv.gz"),
        UserFeaturesPath = TestPaths.Sample("user_features.csv.gz"),
        VideoFeaturesPath = TestPaths.Sample("video_features.csv.gz"),
    }).GetAwaiter().GetResult().Encode());

    /// <summary>The paper's layer widths divided by 8 keep the suite fast; everything else is default.</summary>
    private static ModelOptions Options(string model) => model switch
    {
        StemNet.Name => new StemNetOptions { ExpertUnits = [64, 64, 64], GateUnits = [16], TowerUnits = [16, 8] },
        Mmoe.Name => new MmoeOptions { ExpertUnits = [64, 64, 64], GateUnits = [16], TowerUnits = [16, 8] },
        Omoe.Name => new OmoeOptions { ExpertUnits = [64, 64, 64], GateUnits = [16], TowerUnits = [16, 8] },
        Ple.Name => new PleOptions { ExpertUnits = [64, 64, 64], GateUnits = [16], TowerUnits = [16, 8] },
        MeMmoe.Name => new MeMmoeOptions { ExpertUnits = [64, 64, 64], GateUnits = [16], TowerUnits = [16, 8] },
        MePle.Name => new MePleOptions { ExpertUnits = [64, 64, 64], GateUnits = [16], TowerUnits = [16, 8] },
        SharedBottom.Name => new SharedBottomOptions { BottomUnits = [64, 64, 64], TowerUnits = [16, 16] },
        SingleTask.Name => new SingleTaskOptions { BottomUnits = [64, 64, 64], TowerUnits = [16, 16] },
        Esmm.Name => new EsmmOptions { TowerUnits = [64, 32, 16] },
        Aitm.Name => new AitmOptions { TowerUnits = [64, 32, 16] },
        _ => throw new ArgumentException(model),
    };

    [Theory]
    [MemberData(nameof(TinyData.ModelNames), MemberType = typeof(TinyData))]
    public void One_epoch_on_the_bundled_sample_learns_click_and_long_view(string name)
    {
        var data = Data.Value;
        torch.manual_seed(2023);
        using var model = ModelCatalog.Create(name, data.Pipeline.Layout, data.Pipeline.TaskNames, Options(name));

        var result = new Trainer(new TrainerOptions { Epochs = 1, BatchSize = 512, Optimizer = new OptimizerOptions { LearningRate = 3e-3 } }).Fit(model, data.Train, data.Validation);
        // One evaluation per epoch and model: single-task trains one model per task.
        result.History.Should().HaveCount(name == SingleTask.Name ? data.Pipeline.TaskNames.Count : 1);
        var validation = Evaluator.Evaluate(model, data.Validation);

        validation["is_click"].Auc.Should().BeGreaterThan(0.6, $"{name} learns is_click");
        validation["long_view"].Auc.Should().BeGreaterThan(0.6, $"{name} learns long_view");
    }
}
