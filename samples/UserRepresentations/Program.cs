// UserRepresentations: CLUE end to end on the bundled KuaiRand sample.
//   1. pretrain a user encoder contrastively on the training days (two views of each user),
//   2. embed every user from those days only (the validation and test days stay unseen),
//   3. train STEM-Net with and without the frozen vectors and compare per-task test AUC.
//
//   dotnet run --project samples/UserRepresentations [-- --data DIR] [--epochs N] [--pretrain-epochs N] [--seed N]
//
// DIR holds log*.csv.gz, user*.csv.gz and video*.csv.gz (e.g. ../shared/data/kuairand-pure).
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

var options = SampleOptions.Parse(args);
TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu });
int[] trainingDays = [20220425, 20220426, 20220427, 20220428, 20220429];

// 1. Pretrain on the training days: events before 04-28 and from 04-28 on are the two views of a user.
//    Events are described by their items only: action tokens (is_click=1, ...) would put the labels of
//    the training rows into the vectors that the downstream model reads on those rows (docs/clue.md).
var events = await ClueData.LoadKuaiRandAsync(options.Find("log"), options.Find("video"), trainingDays);
var sequences = SequenceOptions.KuaiRand with
{
    Tokens = SequenceOptions.KuaiRand.Tokens.Where(t => t.Kind != TokenFieldKind.Label).ToArray(),
    Views = new TimeViews { Column = "date", SplitValue = 20220428 },
};
using var splits = ClueData.Prepare(events, sequences);
Console.WriteLine($"CLUE pretraining: {splits.Train.Count:N0} training, {splits.Validation.Count:N0} validation, {splits.Test.Count:N0} test users with two views; {splits.Vocabulary.Count:N0} tokens.");
var encoderOptions = new ClueEncoderOptions { Width = 32, Layers = 1, Heads = 2, FeedForward = 64, OutputDim = 32 };
var lossOptions = new ContrastiveLossOptions { Temperature = 0.2, LearnableTemperature = false };
var batch = Math.Min(64, splits.Validation.Count);
var pretraining = CluePretraining.Run(splits, encoderOptions, lossOptions, new PretrainingOptions { Epochs = options.PretrainEpochs, BatchSize = batch, EvaluationBatchSize = batch, Seed = options.Seed });
using var encoder = pretraining.Artifact;
var heldOut = pretraining.Test;
Console.WriteLine($"Held-out users: InfoNCE {heldOut.Loss:F3} at batch {heldOut.BatchSize} (chance {heldOut.ChanceLoss:F3}), top-10 retrieval {heldOut.Top10:P1}.");

// 2. One vector per user, from the training days' events only.
var log = UserEventLog.FromTable(events, encoder.Metadata.Sequences!);
using var users = log.EncodeAll(encoder.Vocabulary);
var vectors = encoder.Embed(users);
var vectorsPath = Path.Combine(Path.GetTempPath(), $"clue-vectors-{Environment.ProcessId}.csv");
await vectors.WriteCsvAsync(vectorsPath);
Console.WriteLine($"Embedded {vectors.Count:N0} users ({vectors.Dimension} dimensions) → {vectorsPath}");

// 3. STEM-Net with and without the vectors (joined on user_id as a dense field on the shared path).
var rows = new List<(string Variant, EvaluationReport Test)>();
foreach (var withVectors in new[] { false, true })
{
    var kuairand = new KuaiRandOptions
    {
        LogPath = options.Find("log"),
        UserFeaturesPath = options.Find("user"),
        VideoFeaturesPath = options.Find("video"),
        UserVectorsPath = withVectors ? vectorsPath : null,
    };
    using var data = (await KuaiRandPreset.LoadAsync(kuairand)).Encode();
    manual_seed(options.Seed);
    using var model = new StemNet(data.Pipeline.Layout, data.Pipeline.TaskNames);
    new Trainer(new TrainerOptions { Epochs = options.Epochs, BatchSize = 1024, Seed = options.Seed }).Fit(model, data.Train, data.Validation);
    rows.Add((withVectors ? "stem-net + CLUE vectors" : "stem-net", Evaluator.Evaluate(model, data.Test)));
}

File.Delete(vectorsPath);
var tasks = rows[0].Test.Tasks.Select(t => t.Task).ToArray();
Console.WriteLine();
Console.WriteLine($"| model | {string.Join(" | ", tasks)} | mean AUC |");
Console.WriteLine($"| --- |{string.Concat(Enumerable.Repeat(" ---: |", tasks.Length + 1))}");
foreach (var (variant, test) in rows)
{
    Console.WriteLine($"| {variant} | {string.Join(" | ", test.Tasks.Select(t => t.Auc.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)))} | {test.MeanAuc.ToString("F4", System.Globalization.CultureInfo.InvariantCulture)} |");
}

Console.WriteLine("The sample is small (a few hundred users with two views): differences of ±0.01 AUC are noise. docs/clue.md has the full-week study.");

internal sealed record SampleOptions(string DataDirectory, int Epochs, int PretrainEpochs, long Seed)
{
    public static SampleOptions Parse(string[] args)
    {
        var data = Path.Combine(AppContext.BaseDirectory, "data", "kuairand-sample");
        var epochs = 3;
        var pretrainEpochs = 5;
        long seed = 2023;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i])
            {
                case "--data": data = Next(); break;
                case "--epochs": epochs = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--pretrain-epochs": pretrainEpochs = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--seed": seed = long.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option '{args[i]}'. Options: --data DIR, --epochs N, --pretrain-epochs N, --seed N.");
            }
        }

        return new SampleOptions(data, epochs, pretrainEpochs, seed);
    }

    public string Find(string prefix) =>
        Directory.EnumerateFiles(DataDirectory, $"{prefix}*.csv*").OrderBy(f => f, StringComparer.Ordinal).FirstOrDefault()
        ?? throw new FileNotFoundException($"No {prefix}*.csv[.gz] file in {DataDirectory}.");
}
