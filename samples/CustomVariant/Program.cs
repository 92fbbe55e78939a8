// CustomVariant: a new multi-task model assembled from the library's modules (StemSkipNet.cs, under
// 50 lines), trained with the library's Trainer on the bundled KuaiRand sample next to a STEM-Net of
// the same size, with per-task test AUC printed for both.
//
//   dotnet run --project samples/CustomVariant [-- --epochs N]
using System.Diagnostics;
using System.Globalization;
using CustomVariant;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

var epochs = args is ["--epochs", var n] ? int.Parse(n, CultureInfo.InvariantCulture) : 10;
TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu });

var directory = Path.Combine(AppContext.BaseDirectory, "data", "kuairand-sample");
var splits = await KuaiRandPreset.LoadAsync(new KuaiRandOptions
{
    LogPath = Path.Combine(directory, "log.csv.gz"),
    UserFeaturesPath = Path.Combine(directory, "user_features.csv.gz"),
    VideoFeaturesPath = Path.Combine(directory, "video_features.csv.gz"),
});
using var data = splits.Encode();
var tasks = data.Pipeline.TaskNames;
Console.WriteLine($"KuaiRand sample: train {data.Train.Count:N0} rows, validation {data.Validation.Count:N0}, test {data.Test.Count:N0}; tasks {string.Join(", ", tasks)}.");

// Same embedding, expert, gate and tower sizes for both models, so the skip path is the only difference.
var variant = new StemSkipOptions { EmbeddingDim = 16, ExpertUnits = [256, 128], GateUnits = [64], TowerUnits = [64], SharedExperts = 2, SkipDim = 16 };
var baseline = new StemNetOptions { EmbeddingDim = 16, ExpertUnits = [256, 128], GateUnits = [64], TowerUnits = [64], SharedExperts = 2 };
var trainer = new Trainer(new TrainerOptions { Epochs = epochs, BatchSize = 1024 });

Console.WriteLine($"{"model",-10}{string.Concat(tasks.Select(t => $"{t,11}"))}{"mean AUC",11}{"best epoch",12}{"seconds",9}");
foreach (var build in new Func<IMultiTaskModel>[]
{
    () => new StemSkipNet(data.Pipeline.Layout, tasks, variant),
    () => new StemNet(data.Pipeline.Layout, tasks, baseline),
})
{
    manual_seed(2023);
    using var model = build();
    var clock = Stopwatch.StartNew();
    var training = trainer.Fit(model, data.Train, data.Validation);
    var test = Evaluator.Evaluate(model, data.Test);
    Console.WriteLine($"{model.ModelName,-10}{string.Concat(test.Tasks.Select(t => $"{t.Auc,11:F4}"))}{test.MeanAuc,11:F4}{training.Best?.Epoch,12}{clock.Elapsed.TotalSeconds,9:F1}");
}

Console.WriteLine("Test AUC on 2022-05-01 (best validation epoch). On 12.7k training rows ±0.01 AUC is seed noise.");
