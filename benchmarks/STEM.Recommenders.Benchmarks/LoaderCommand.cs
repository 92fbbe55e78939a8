using System.Diagnostics;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

internal sealed record LoaderCommandOptions(string Cache, int BatchSize, int Steps, int Warmup, bool Train, int? Threads, Precision Precision)
{
    public static LoaderCommandOptions Parse(string[] args, bool train)
    {
        string? cache = null;
        var batch = 4096;
        var steps = train ? 100 : 1000;
        var warmup = train ? 5 : 20;
        int? threads = null;
        var precision = Precision.Float32;
        var line = new CommandLine(args);
        while (line.MoveNext())
        {
            switch (line.Current)
            {
                case "--cache": cache = line.Value(); break;
                case "--batch": batch = line.PositiveInt(); break;
                case "--steps": steps = line.PositiveInt(); break;
                case "--warmup": warmup = line.NonNegativeInt(); break;
                case "--threads": threads = line.PositiveInt(); break;
                case "--precision": precision = line.Precision(); break;
                default: throw line.Unknown();
            }
        }

        return new LoaderCommandOptions(cache ?? Path.Combine(BenchEnvironment.RepositoryRoot, "runs", "kuairand-10m", "cache"), batch, steps, warmup, train, threads, precision);
    }
}

/// <summary>
/// <c>loader</c>: batches/s of a shuffled epoch of the training cache alone (read shards, permute a
/// window, gather, widen to int64/float32). <c>cache-train</c>: STEM-Net at its default (paper) sizes
/// trained from the cache, with the process's peak RSS.
/// </summary>
internal static class LoaderCommand
{
    public static int Run(LoaderCommandOptions options)
    {
        TorchRuntime.Initialize(new TorchRuntimeOptions { Device = ComputeDevice.Cpu, Threads = options.Threads });
        using var cache = EncodedCache.Open(Path.Combine(options.Cache, "train"));
        Console.WriteLine(options.Train
            ? "STEM.Recommenders cache-train benchmark: STEM-Net (default sizes) trained from the encoded cache (shuffled epoch, row-sparse Adam)"
            : "STEM.Recommenders loader benchmark: shuffled batches from the encoded cache, nothing else");
        Console.WriteLine($"  machine: {BenchEnvironment.Describe()}; torch threads {get_num_threads()}");
        Console.WriteLine($"  cache: {options.Cache}/train, {cache.RowCount:N0} rows in {cache.Manifest.Shards.Count} shards (window {cache.WindowShards}); batch {options.BatchSize:N0}; {options.Warmup} warm-up + {options.Steps} timed steps");
        using var generator = new Generator(2023);
        using var epoch = cache.StartEpoch(options.BatchSize, shuffle: true, generator);
        IMultiTaskModel? model = null;
        MultiTaskOptimizer? optimizer = null;
        FixedWeighting? weighting = null;
        if (options.Train)
        {
            manual_seed(2023);
            model = ModelCatalog.Create(StemNet.Name, cache.Layout, cache.TaskNames, ModelCatalog.DefaultOptions(StemNet.Name) with { Precision = options.Precision });
            optimizer = new MultiTaskOptimizer(model, new OptimizerOptions());
            weighting = new FixedWeighting();
            weighting.Attach(model);
            model.TorchModule.train();
            Console.WriteLine($"  model: stem-net, {model.TorchModule.parameters().Sum(p => p.numel()):N0} parameters, {cache.Layout.TotalRows:N0} embedding rows, precision {options.Precision}");
        }

        var total = options.Warmup + options.Steps;
        if (total > epoch.StepCount)
        {
            throw new ArgumentException($"The epoch has {epoch.StepCount} batches; ask for fewer steps.");
        }

        var clock = new Stopwatch();
        for (var step = 0; step < total; step++)
        {
            if (step == options.Warmup)
            {
                clock.Start();
            }

            using var scope = NewDisposeScope();
            var batch = epoch.GetBatch(step);
            if (model is null)
            {
                continue;
            }

            TrainingStep.Run(model, optimizer!, weighting!, batch);
        }

        clock.Stop();
        var (peak, source) = BenchEnvironment.PeakWorkingSet();
        var samples = (double)options.Steps * options.BatchSize;
        Console.WriteLine();
        Console.WriteLine($"  {samples / clock.Elapsed.TotalSeconds:N0} samples/s ({clock.Elapsed.TotalMilliseconds / options.Steps:N2} ms per batch of {options.BatchSize:N0})");
        Console.WriteLine($"  peak RSS (whole process): {BenchEnvironment.Mib(peak)} ({source})");
        model?.Dispose();
        optimizer?.Dispose();
        weighting?.Dispose();
        return 0;
    }
}
