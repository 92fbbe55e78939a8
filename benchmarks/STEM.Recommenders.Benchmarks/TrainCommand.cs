using System.Diagnostics;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

internal sealed record TrainCommandOptions(
    IReadOnlyList<string> Models, int BatchSize, int Steps, int Warmup, Precision Precision, int? Threads, string DataDirectory)
{
    public static TrainCommandOptions Parse(string[] args)
    {
        IReadOnlyList<string> models = [StemNet.Name, Mmoe.Name, Ple.Name, SharedBottom.Name, SingleTask.Name];
        var batch = 4096;
        var steps = 50;
        var warmup = 5;
        var precision = Precision.Float32;
        int? threads = null;
        var data = "shared";
        var line = new CommandLine(args);
        while (line.MoveNext())
        {
            switch (line.Current)
            {
                case "--models": models = line.Models(); break;
                case "--batch-size": batch = line.PositiveInt(); break;
                case "--steps": steps = line.PositiveInt(); break;
                case "--warmup": warmup = line.NonNegativeInt(); break;
                case "--precision": precision = line.Precision(); break;
                case "--threads": threads = line.PositiveInt(); break;
                case "--data": data = line.Value(); break;
                default: throw line.Unknown();
            }
        }

        var directory = TrainingSteps.DataDirectory(data);
        return new TrainCommandOptions(models, batch, steps, warmup, precision, threads, directory);
    }
}

/// <summary>Training-step throughput per model on the KuaiRand preset.</summary>
internal static class TrainCommand
{
    /// <summary>The official PyTorch STEM-Net on the reference machine, samples/s.</summary>
    private const double PyTorchStemNetAnchor = 1_900;
    private const double TargetFactor = 1.5;

    public static async Task<int> RunAsync(TrainCommandOptions options)
    {
        var device = TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu, Threads = options.Threads });
        Console.WriteLine("STEM.Recommenders training-step benchmark: forward, MultiTaskLoss.PerTask, backward, MultiTaskOptimizer.Step (row-sparse Adam), ZeroGrad");
        Console.WriteLine($"  machine: {BenchEnvironment.Describe()}; device {device}; torch threads {get_num_threads()}");
        Console.WriteLine($"  data: {options.DataDirectory}");

        using var data = await TrainingSteps.LoadKuaiRandAsync(options.DataDirectory).ConfigureAwait(false);
        var train = data.Train;
        var layout = data.Pipeline.Layout;
        var tasks = data.Pipeline.TaskNames;
        var batchSize = Math.Min(options.BatchSize, train.Count);
        var batchesPerEpoch = train.Count / batchSize;
        Console.WriteLine(
            $"  train split {train.Count:N0} rows, {layout.FieldCount} fields ({layout.SlotCount} slots, {layout.TotalRows:N0} embedding rows), tasks {string.Join(", ", tasks)}");
        Console.WriteLine(
            $"  batch {batchSize:N0} ({batchesPerEpoch} full batches per pass, cycled), {options.Warmup} warm-up + {options.Steps} timed steps, precision {options.Precision}, default model sizes, default OptimizerOptions");
        Console.WriteLine($"  anchor: official PyTorch STEM-Net trains ~{PyTorchStemNetAnchor:N0} samples/s on the reference machine; target >= {TargetFactor}x = {PyTorchStemNetAnchor * TargetFactor:N0} samples/s");
        Console.WriteLine();

        var resets = BenchEnvironment.TryResetPeakWorkingSet();
        var results = new List<(string Model, double SamplesPerSecond, double MeanMs, double MedianMs, long Parameters, long Peak)>();
        foreach (var name in options.Models)
        {
            using var model = TrainingSteps.Create(name, data, options.Precision);
            var precision = PrecisionSetup.Apply(model, batchSize);
            var parameters = model.TorchModule.parameters().Sum(p => p.numel());
            if (resets)
            {
                BenchEnvironment.TryResetPeakWorkingSet();
            }

            var (samplesPerSecond, meanMs, medianMs, _) = TrainingSteps.Measure(model, train, batchSize, options.Warmup, options.Steps);
            var (peak, source) = BenchEnvironment.PeakWorkingSet();
            results.Add((name, samplesPerSecond, meanMs, medianMs, parameters, peak));
            var anchor = name == StemNet.Name ? $"; {samplesPerSecond / PyTorchStemNetAnchor:F2}x the PyTorch anchor (target {TargetFactor}x: {(samplesPerSecond >= PyTorchStemNetAnchor * TargetFactor ? "met" : "NOT met")})" : string.Empty;
            Console.WriteLine(
                $"{name,-14} {samplesPerSecond,10:N0} samples/s  {meanMs,8:N1} ms/step (median {medianMs:N1})  peak {source}{(resets ? "" : " (process)")} {BenchEnvironment.Mib(peak)}  {parameters:N0} parameters{anchor}{(precision is null ? "" : $"; auto precision: {precision.Chosen} (float32 {precision.Float32Ms:N0} ms, bfloat16 {precision.BFloat16Ms:N0} ms)")}");
        }

        Console.WriteLine();
        if (options.Steps < 20)
        {
            Console.WriteLine($"Only {options.Steps} timed step(s): a smoke run, not a measurement (use the default 50 or more on a quiet machine).");
        }

        Console.WriteLine(resets
            ? "Peak working set is reset before each model's steps (Linux clear_refs), so it covers the data, that model and its optimizer."
            : "Peak working set is the process peak so far (the reset is not available here), so it only grows from model to model.");
        return 0;
    }
}
