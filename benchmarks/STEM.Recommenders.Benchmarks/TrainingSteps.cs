using System.Diagnostics;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

/// <summary>Timings of <see cref="TrainingSteps.Measure"/>: samples/s, mean and median ms per step, process CPU ms per step.</summary>
internal sealed record StepTimings(double SamplesPerSecond, double MeanMs, double MedianMs, double CpuMsPerStep);

/// <summary>
/// The training benchmark's step — forward, MultiTaskLoss.PerTask, weighting backward,
/// MultiTaskOptimizer.Step (row-sparse Adam), ZeroGrad, one dispose scope — shared by the train,
/// limit and breakdown commands so that all three time the same loop.
/// </summary>
internal static class TrainingSteps
{
    /// <summary>
    /// Starts LibTorch on the CPU with the requested threads, prints the title with the machine, CPU
    /// flags and data directory, and loads the data: the opening of the limit and breakdown commands.
    /// </summary>
    /// <returns>The encoded data and LibTorch's intra-op thread count.</returns>
    public static async Task<(EncodedSplits Data, int Threads)> StartAsync(string title, int? threads, string dataDirectory)
    {
        var device = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu, Threads = threads });
        var actual = get_num_threads();
        Console.WriteLine(title);
        Console.WriteLine($"  machine: {BenchEnvironment.Describe()}; device {device}; torch threads {actual}");
        Console.WriteLine($"  cpu: {CpuFeatures.Describe()}");
        Console.WriteLine($"  data: {dataDirectory}");
        return (await LoadKuaiRandAsync(dataDirectory).ConfigureAwait(false), actual);
    }

    /// <summary>The KuaiRand week (or sample) in a directory, encoded.</summary>
    public static async Task<EncodedSplits> LoadKuaiRandAsync(string directory)
    {
        var splits = await KuaiRandPreset.LoadAsync(new KuaiRandOptions
        {
            LogPath = BenchEnvironment.Find(directory, "log"),
            UserFeaturesPath = BenchEnvironment.Find(directory, "user"),
            VideoFeaturesPath = BenchEnvironment.Find(directory, "video"),
        }).ConfigureAwait(false);
        return splits.Encode();
    }

    /// <summary>The data directory named by --data: shared, sample, or a path.</summary>
    public static string DataDirectory(string data) => data switch
    {
        "shared" => BenchEnvironment.SharedKuaiRandDirectory,
        "sample" => BenchEnvironment.SampleKuaiRandDirectory,
        _ => Path.GetFullPath(data),
    };

    /// <summary>A catalog model at default (paper) sizes, seeded, in training mode.</summary>
    public static IMultiTaskModel Create(string name, EncodedSplits data, Precision precision)
    {
        manual_seed(2023);
        var model = ModelCatalog.Create(name, data.Pipeline.Layout, data.Pipeline.TaskNames, ModelCatalog.DefaultOptions(name) with { Precision = precision });
        model.TorchModule.train();
        return model;
    }

    /// <summary>The rows of step s: consecutive full batches of a seeded shuffle, cycled.</summary>
    public static Func<long, Batch> Batches(EncodedDataset train, Tensor order, int batchSize)
    {
        var perPass = train.Count / batchSize;
        return step => train.GetBatch(order.narrow(0, (step % perPass) * batchSize, batchSize));
    }

    /// <summary>Runs <paramref name="warmup"/> untimed steps, then <paramref name="steps"/> timed ones.</summary>
    /// <param name="beforeTimed">Called between warm-up and timed steps (e.g. to reset the peak working set).</param>
    public static StepTimings Measure(IMultiTaskModel model, EncodedDataset train, int batchSize, int warmup, int steps, Action? beforeTimed = null)
    {
        // Model, optimizer, weighting and the row order live outside any dispose scope.
        using var optimizer = new MultiTaskOptimizer(model, new OptimizerOptions());
        using var weighting = new FixedWeighting();
        weighting.Attach(model);
        using var generator = new Generator(2023);
        using var order = train.Order(shuffle: true, generator);
        var batchAt = Batches(train, order, batchSize);
        var step = 0L;
        void Step()
        {
            using var scope = NewDisposeScope();
            var batch = batchAt(step++);
            var output = model.Forward(batch.Features);
            var losses = MultiTaskLoss.PerTask(output.Logits, batch.Labels, batch.LabelMask);
            weighting.Backward(losses, model.AuxiliaryLoss(output, batch.Labels, batch.LabelMask));
            optimizer.Step();
            optimizer.ZeroGrad();
        }

        for (var i = 0; i < warmup; i++)
        {
            Step();
        }

        beforeTimed?.Invoke();
        var stepTimes = new double[steps];
        var cpu = Environment.CpuUsage.TotalTime;
        var total = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++)
        {
            var started = total.Elapsed;
            Step();
            stepTimes[i] = (total.Elapsed - started).TotalMilliseconds;
        }

        total.Stop();
        var cpuMs = (Environment.CpuUsage.TotalTime - cpu).TotalMilliseconds / steps;
        Array.Sort(stepTimes);
        var median = stepTimes.Length % 2 == 1 ? stepTimes[stepTimes.Length / 2] : (stepTimes[(stepTimes.Length / 2) - 1] + stepTimes[stepTimes.Length / 2]) / 2;
        return new StepTimings((double)steps * batchSize / total.Elapsed.TotalSeconds, total.Elapsed.TotalMilliseconds / steps, median, cpuMs);
    }
}
