using System.Diagnostics;
using STEM.Recommenders.Data;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using STEM.Recommenders.Runtime;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

/// <summary>
/// CLUE pretraining throughput: <see cref="Pretrainer.Fit"/>'s step (both views through the
/// encoder, InfoNCE, backward, gradient clipping, Adam) per encoder size, with the training FLOP
/// estimate per second and the peak memory.
/// </summary>
internal static class PretrainCommand
{
    /// <summary>The downstream training days of the KuaiRand week: vectors never see a validation or test day.</summary>
    private static readonly int[] TrainingDays = [20220425, 20220426, 20220427, 20220428, 20220429];

    public static async Task<int> RunAsync(PretrainCommandOptions options)
    {
        var device = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu, Threads = options.Threads });
        Console.WriteLine("STEM.Recommenders CLUE pretraining benchmark: Pretrainer.Fit steps (two views -> ClueEncoder, InfoNCE, backward, clip 1.0, Adam), no evaluation");
        Console.WriteLine($"  machine: {BenchEnvironment.Describe()}; device {device}; torch threads {get_num_threads()}");

        var (events, sequences, description) = await LoadAsync(options).ConfigureAwait(false);
        using var splits = ClueData.Prepare(events, sequences);
        var train = splits.Train;
        var batch = options.BatchSize;
        if (train.Count < batch)
        {
            // A benchmark at another batch is not comparable, but the fallback data must still run.
            batch = train.Count;
            Console.WriteLine($"  NOTE: only {train.Count:N0} training users with two views: batch lowered from {options.BatchSize} to {batch}; use --synthetic N for a full batch");
        }

        Console.WriteLine($"  data: {description}; {train.Count:N0} training users with two views (views {sequences.Views}, max length {sequences.MaxLength}, {sequences.MaxTokensPerItem} tokens per item), {splits.Vocabulary.Count:N0} tokens");
        Console.WriteLine($"  batch {batch} user pairs (2 x {batch} sequences per forward), {options.Warmup} warm-up + {options.Repeat} x {options.Steps} timed steps, median of the repeats");
        Console.WriteLine($"  GEMM reference: {BenchEnvironment.GemmGflops():N1} GFLOP/s (float32 1024x1024 matmul, same threads)");
        Console.WriteLine();

        var resets = BenchEnvironment.TryResetPeakWorkingSet();
        var rows = new List<string>();
        foreach (var (name, size) in options.Encoders)
        {
            var line = Measure(name, size, splits, batch, options, resets);
            Console.WriteLine(line.Console);
            rows.Add(line.Markdown);
        }

        Console.WriteLine();
        Console.WriteLine("| encoder | parameters (total / non-embedding) | pairs/s | ms/step | GFLOP/s (estimate) | peak RSS | GC heap |");
        Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
        rows.ForEach(Console.WriteLine);
        Console.WriteLine();
        if (options.Steps < 20)
        {
            Console.WriteLine($"Only {options.Steps} timed step(s) per repeat: a smoke run, not a measurement.");
        }

        // Kaplan et al.'s "with embeddings" count charges the whole token table per token, work a lookup never does; it is no rate to set against the GEMM reference.
        Console.WriteLine("GFLOP/s: ClueCompute.TrainingFlops, non-embedding (6 x parameters x real tokens/items/users; lookups, attention scores, norms and the loss left out) / training time.");
        Console.WriteLine(resets
            ? "Peak RSS is reset before each encoder (Linux clear_refs): it covers the encoded data, that encoder and its Adam state."
            : "Peak RSS is the process peak so far (the reset is not available here), so it only grows from encoder to encoder.");
        return 0;
    }

    private static (string Console, string Markdown) Measure(string name, ClueEncoderOptions size, ClueDataSplits splits, int batch, PretrainCommandOptions options, bool resets)
    {
        manual_seed(2023);
        var shape = size with { MaxLength = Math.Max(size.MaxLength, splits.Log.Options.MaxLength) };
        using var encoder = new ClueEncoder("clue", splits.Vocabulary.Count, splits.Log.Options.MaxTokensPerItem, shape);
        using var loss = new ContrastiveLoss("loss", new ContrastiveLossOptions());

        // Evaluation is pushed out of reach (EvaluateEverySteps also skips the end-of-epoch
        // evaluation), so every timed second is a training step. Each Fit starts a new Adam,
        // whose state is allocated in the first step: one step in Steps, as at the start of a run.
        PretrainingOptions Loop(int steps) => new()
        {
            BatchSize = batch,
            MaxSteps = steps,
            Epochs = 100_000,
            EvaluateEverySteps = int.MaxValue,
            EvaluationBatchSize = 2,
            ProgressEverySteps = int.MaxValue,
            RestoreBestWeights = false,
        };

        if (options.Warmup > 0)
        {
            new Pretrainer(Loop(options.Warmup)).Fit(encoder, loss, splits.Train, splits.Validation);
        }

        if (resets)
        {
            BenchEnvironment.TryResetPeakWorkingSet();
        }

        var allocatedBefore = GC.GetTotalAllocatedBytes();
        var pairsPerSecond = new double[options.Repeat];
        var flopsPerSecond = new double[options.Repeat];
        for (var r = 0; r < options.Repeat; r++)
        {
            var result = new Pretrainer(Loop(options.Steps)).Fit(encoder, loss, splits.Train, splits.Validation);
            var seconds = result.PairsSeen / result.PairsPerSecond;
            pairsPerSecond[r] = result.PairsPerSecond;
            flopsPerSecond[r] = ClueCompute.TrainingFlops(encoder, result.TokensSeen, result.ItemsSeen, result.PairsSeen * 2) / seconds;
        }

        var allocatedPerStep = (GC.GetTotalAllocatedBytes() - allocatedBefore) / ((long)options.Repeat * options.Steps);
        var (peak, source) = BenchEnvironment.PeakWorkingSet();
        var breakdown = options.Breakdown ? Environment.NewLine + PretrainBreakdown.Measure(encoder, loss, splits.Train, batch, options.Steps) : string.Empty;
        var heap = GC.GetGCMemoryInfo().HeapSizeBytes;
        var counts = encoder.ParameterCounts;
        var pairs = Median(pairsPerSecond);
        var ms = 1000.0 * batch / pairs;
        var gflops = Median(flopsPerSecond) / 1e9;
        var shapeText = $"d {shape.Width}, {shape.Layers} layer(s), {shape.Heads} heads, FF {shape.FeedForward}, out {shape.OutputDim}";
        var console =
            $"{name,-8} {pairs,8:N0} pairs/s (repeats {string.Join(" / ", pairsPerSecond.Select(p => p.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))})  {ms,7:N1} ms/step  " +
            $"{gflops:N2} GFLOP/s  peak {source} {BenchEnvironment.Mib(peak)}  GC heap {BenchEnvironment.Mib(heap)}, {BenchEnvironment.Mib(allocatedPerStep)} allocated/step  " +
            $"{counts.Total:N0} parameters ({counts.NonEmbedding:N0} non-embedding; {shapeText}){breakdown}";
        var markdown = $"| {name} ({shapeText}) | {counts.Total:N0} / {counts.NonEmbedding:N0} | {pairs:N0} | {ms:N1} | {gflops:N2} | {BenchEnvironment.Mib(peak)} | {BenchEnvironment.Mib(heap)} |";
        return (console, markdown);
    }

    private static async Task<(DataTable Events, SequenceOptions Sequences, string Description)> LoadAsync(PretrainCommandOptions options)
    {
        if (options.Synthetic is { } users)
        {
            var synthetic = new SyntheticUserLogOptions { Users = users, Seed = 2023 };
            synthetic.Validate();
            return (SyntheticUserLogGenerator.Generate(synthetic), SyntheticUserLogGenerator.DefaultSequenceOptions, $"synthetic log, {users:N0} users (SyntheticUserLogGenerator, seed 2023)");
        }

        string directory;
        switch (options.Data)
        {
            case null:
                // The shared week when it is there, else the bundled sample, so the command always runs.
                directory = File.Exists(Path.Combine(BenchEnvironment.SharedKuaiRandDirectory, "log_20220425_20220501.csv.gz"))
                    ? BenchEnvironment.SharedKuaiRandDirectory
                    : BenchEnvironment.SampleKuaiRandDirectory;
                break;
            case "shared": directory = BenchEnvironment.SharedKuaiRandDirectory; break;
            case "sample": directory = BenchEnvironment.SampleKuaiRandDirectory; break;
            default: directory = Path.GetFullPath(options.Data); break;
        }

        var log = BenchEnvironment.Find(directory, "log");
        var videos = BenchEnvironment.Find(directory, "video");
        var events = await ClueData.LoadKuaiRandAsync(log, videos, TrainingDays).ConfigureAwait(false);
        return (events, SequenceOptions.KuaiRand, $"{log} + {Path.GetFileName(videos)}, days {TrainingDays[0]}..{TrainingDays[^1]}, {events.RowCount:N0} events");
    }


    private static double Median(double[] values)
    {
        var sorted = values.Order().ToArray();
        var m = sorted.Length / 2;
        return sorted.Length % 2 == 1 ? sorted[m] : (sorted[m - 1] + sorted[m]) / 2;
    }
}
