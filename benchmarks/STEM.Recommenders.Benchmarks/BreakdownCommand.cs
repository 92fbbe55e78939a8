using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

internal sealed record BreakdownCommandOptions(int BatchSize, int Steps, int Warmup, Precision Precision, int? Threads, string DataDirectory, ExpertExecutionPolicy Experts, int CompareRounds)
{
    public static BreakdownCommandOptions Parse(string[] args)
    {
        var batch = 4096;
        var steps = 20;
        var warmup = 3;
        var precision = Precision.Float32;
        int? threads = null;
        var data = "shared";
        var experts = ExpertExecutionPolicy.Batched;
        var compare = 0;
        var line = new CommandLine(args);
        while (line.MoveNext())
        {
            switch (line.Current)
            {
                case "--batch-size": batch = line.PositiveInt(); break;
                case "--steps": steps = line.PositiveInt(); break;
                case "--warmup": warmup = line.NonNegativeInt(); break;
                case "--precision": precision = line.Precision(); break;
                case "--threads": threads = line.PositiveInt(); break;
                case "--data": data = line.Value(); break;
                case "--experts": experts = ExpertSettings.Parse(line.Value()); break;
                case "--compare-experts": compare = line.PositiveInt(); break;
                default: throw line.Unknown();
            }
        }

        return new BreakdownCommandOptions(batch, steps, warmup, precision, threads, TrainingSteps.DataDirectory(data), experts, compare);
    }
}

/// <summary>
/// Where STEM-Net's training step goes, phase by phase (<see cref="StemStepBreakdown"/>), next to
/// the same number of uninstrumented steps so the instrumentation's own cost shows.
/// </summary>
internal static class BreakdownCommand
{
    public static async Task<int> RunAsync(BreakdownCommandOptions options)
    {
        var (data, threads) = await TrainingSteps.StartAsync("STEM-Net training step, phase by phase (a timed copy of the forward pass; backward cut by identity autograd nodes at the same boundaries)", options.Threads, options.DataDirectory).ConfigureAwait(false);
        using var _ = data;
        var train = data.Train;
        var rows = Math.Min(options.BatchSize, train.Count);
        Console.WriteLine($"  batch {rows:N0}, {options.Warmup} warm-up + {options.Steps} timed steps, precision {options.Precision}, default sizes and OptimizerOptions");
        Console.WriteLine();

        StepBreakdown breakdown;
        string setting;
        ExpertExecution chosen;
        using (var model = (StemNet)TrainingSteps.Create(StemNet.Name, data, options.Precision))
        using (var optimizer = new MultiTaskOptimizer(model, new OptimizerOptions()))
        using (var weighting = new FixedWeighting())
        using (var generator = new Generator(2023))
        using (var order = train.Order(shuffle: true, generator))
        {
            setting = ExpertSettings.Apply(model, options.Experts, rows);
            chosen = model.modules().OfType<ExpertPool>().First().Execution;
            Console.WriteLine($"  {setting}");
            Console.WriteLine();
            weighting.Attach(model);
            breakdown = StemStepBreakdown.Measure(model, optimizer, weighting, TrainingSteps.Batches(train, order, rows), options.Warmup, options.Steps);
        }

        StepTimings plain;
        using (var model = TrainingSteps.Create(StemNet.Name, data, options.Precision))
        {
            ExpertSettings.Set(model, chosen);
            plain = TrainingSteps.Measure(model, train, rows, options.Warmup, options.Steps);
        }

        var step = breakdown.StepWallMs;
        Console.WriteLine($"  {"phase",-42} {"ms/step",9} {"% step",7} {"CPU ms",9} {"busy",6}");
        foreach (var phase in breakdown.Phases)
        {
            Console.WriteLine($"  {phase.Name,-42} {phase.WallMs,9:N2} {phase.WallMs / step,7:P1} {phase.CpuMs,9:N2} {Busy(phase.CpuMs, phase.WallMs, threads),6}");
        }

        foreach (var group in new[] { "forward:", "backward:" })
        {
            var parts = breakdown.Phases.Where(p => p.Name.StartsWith(group, StringComparison.Ordinal)).ToArray();
            var wall = parts.Sum(p => p.WallMs);
            var cpu = parts.Sum(p => p.CpuMs);
            Console.WriteLine($"  {"all " + group.TrimEnd(':'),-42} {wall,9:N2} {wall / step,7:P1} {cpu,9:N2} {Busy(cpu, wall, threads),6}");
        }

        var sum = breakdown.Phases.Sum(p => p.WallMs);
        Console.WriteLine($"  {"sum of phases",-42} {sum,9:N2} {sum / step,7:P1}");
        Console.WriteLine($"  {"whole step (measured around it)",-42} {step,9:N2} {1,7:P1} {breakdown.StepCpuMs,9:N2} {Busy(breakdown.StepCpuMs, step, threads),6}");
        Console.WriteLine();
        Console.WriteLine($"  managed allocation {breakdown.AllocatedBytes / 1024.0:N1} KiB/step; GC collections per step gen0 {breakdown.Collections[0]:N2}, gen1 {breakdown.Collections[1]:N2}, gen2 {breakdown.Collections[2]:N2}");
        Console.WriteLine($"  uninstrumented step (the train command's loop): {plain.MeanMs:N2} ms/step (median {plain.MedianMs:N2}), {plain.SamplesPerSecond:N0} samples/s, CPU {Busy(plain.CpuMsPerStep, plain.MeanMs, threads)} busy; instrumented {step:N2} ms/step");
        if (options.CompareRounds > 0)
        {
            Compare(data, rows, options, threads);
        }

        Console.WriteLine();
        Console.WriteLine("busy: process CPU time over wall time × threads — below 100 % the intra-op pool waited (serial work, small ops, or other processes).");
        Console.WriteLine("A backward phase is what LibTorch computed between two of the copy's boundaries; the names assume its order (the reverse of creation), which the tests check on a small model.");
        return 0;
    }

    /// <summary>
    /// A/B of the expert execution on one model in one process: rounds of batched then separate
    /// uninstrumented steps, alternating so that a change in the machine's load hits both.
    /// </summary>
    private static void Compare(STEM.Recommenders.Datasets.EncodedSplits data, int rows, BreakdownCommandOptions options, int threads)
    {
        Console.WriteLine();
        Console.WriteLine($"  A/B expert execution, {options.CompareRounds} round(s) of (batched, separate), each {options.Warmup} warm-up + {options.Steps} timed steps on the same model:");
        using var model = TrainingSteps.Create(StemNet.Name, data, options.Precision);
        var results = new Dictionary<ExpertExecution, List<StepTimings>> { [ExpertExecution.Batched] = [], [ExpertExecution.Separate] = [] };
        for (var r = 0; r < options.CompareRounds; r++)
        {
            foreach (var execution in new[] { ExpertExecution.Batched, ExpertExecution.Separate })
            {
                ExpertSettings.Set(model, execution);
                var timing = TrainingSteps.Measure(model, data.Train, rows, options.Warmup, options.Steps);
                results[execution].Add(timing);
                Console.WriteLine($"    round {r + 1} {execution.ToString().ToLowerInvariant(),-8} {timing.MeanMs,10:N1} ms/step wall  {timing.CpuMsPerStep,10:N1} ms/step CPU  ({Busy(timing.CpuMsPerStep, timing.MeanMs, threads)} busy)");
            }
        }

        double Mean(ExpertExecution e, Func<StepTimings, double> pick) => results[e].Average(pick);
        var wallRatio = Mean(ExpertExecution.Separate, t => t.MeanMs) / Mean(ExpertExecution.Batched, t => t.MeanMs);
        var cpuRatio = Mean(ExpertExecution.Separate, t => t.CpuMsPerStep) / Mean(ExpertExecution.Batched, t => t.CpuMsPerStep);
        Console.WriteLine($"    separate / batched: wall {wallRatio:F3}x, CPU {cpuRatio:F3}x (means over the rounds; CPU time is the fairer one on a loaded machine)");
    }

    private static string Busy(double cpuMs, double wallMs, int threads) => wallMs <= 0 ? "-" : $"{cpuMs / (wallMs * threads):P0}";
}
