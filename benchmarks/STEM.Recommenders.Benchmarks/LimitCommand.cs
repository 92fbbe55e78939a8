using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Runtime;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

internal sealed record LimitCommandOptions(
    IReadOnlyList<string> Models, int BatchSize, int Steps, int Warmup, Precision Precision, int? Threads, string DataDirectory, int Square, bool BFloat16, double GemmSeconds, ExpertExecutionPolicy Experts)
{
    public static LimitCommandOptions Parse(string[] args)
    {
        IReadOnlyList<string> models = [StemNet.Name, Mmoe.Name, Ple.Name];
        var batch = 4096;
        var steps = 30;
        var warmup = 3;
        var precision = Precision.Float32;
        int? threads = null;
        var data = "shared";
        var square = 4096;
        var bf16 = true;
        var gemmSeconds = 0.2;
        var experts = ExpertExecutionPolicy.Batched;
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
                case "--square": square = line.NonNegativeInt(); break;
                case "--no-bf16": bf16 = false; break;
                case "--gemm-seconds": gemmSeconds = line.PositiveInt() / 1000.0; break;
                case "--experts": experts = ExpertSettings.Parse(line.Value()); break;
                default: throw line.Unknown();
            }
        }

        return new LimitCommandOptions(models, batch, steps, warmup, precision, threads, TrainingSteps.DataDirectory(data), square, bf16, gemmSeconds, experts);
    }
}

/// <summary>
/// Training against the machine's own limit: the GEMM rates of the expert shapes (forward, input
/// gradient, weight gradient; float32 and bfloat16) and of a square product, each model's
/// training FLOP per sample from its built layers (<see cref="ModelCompute"/>), and the real
/// training step's samples/s as a fraction of those rates.
/// </summary>
internal static class LimitCommand
{
    private const double StemTarget = 0.70;

    public static async Task<int> RunAsync(LimitCommandOptions options)
    {
        var (data, threads) = await TrainingSteps.StartAsync("STEM.Recommenders training against the machine's limit: GEMM rates of the expert shapes, FLOP per sample from the built models, the real training step", options.Threads, options.DataDirectory).ConfigureAwait(false);
        using var _ = data;
        var train = data.Train;
        var rows = Math.Min(options.BatchSize, train.Count);
        Console.WriteLine($"  batch {rows:N0}, {options.Warmup} warm-up + {options.Steps} timed steps, step precision {options.Precision}, default model sizes and OptimizerOptions");
        Console.WriteLine();

        // Each model's linear layers, from the built model.
        var flops = new Dictionary<string, ModelFlops>(StringComparer.Ordinal);
        foreach (var name in options.Models)
        {
            using var model = TrainingSteps.Create(name, data, options.Precision);
            flops[name] = ModelCompute.Count(model);
        }

        // The rates of every expert shape, and the square reference.
        var types = options.BFloat16 ? new[] { ScalarType.Float32, ScalarType.BFloat16 } : [ScalarType.Float32];
        var shapes = flops.Values.SelectMany(f => f.Layers).Where(l => l.IsExpert).Select(l => (l.InputWidth, l.OutputWidth)).Distinct().OrderByDescending(s => s.InputWidth).ThenByDescending(s => s.OutputWidth).ToArray();
        var rates = new List<GemmRate>();
        Console.WriteLine($"GEMM GFLOP/s through LibTorch (torch.mm), {threads} thread(s), best of 3 rounds of >= {options.GemmSeconds:0.###} s:");
        Console.WriteLine($"  {"shape",-28} {"type",-9} {"X·W",9} {"dY·Wᵀ",9} {"Xᵀ·dY",9}");
        foreach (var (input, output) in shapes)
        {
            foreach (var type in types)
            {
                var layer = GemmRates.Layer(rows, input, output, type, minSeconds: options.GemmSeconds);
                rates.AddRange(layer);
                Console.WriteLine($"  {$"[{rows}, {input}] x [{input}, {output}]",-28} {Name(type),-9} {layer[0].Gflops,9:N1} {layer[1].Gflops,9:N1} {layer[2].Gflops,9:N1}");
            }
        }

        var square = new Dictionary<ScalarType, double>();
        if (options.Square > 0)
        {
            foreach (var type in types)
            {
                square[type] = GemmRates.Square(options.Square, type);
                Console.WriteLine($"  {$"[{options.Square}, {options.Square}] x [{options.Square}, {options.Square}]",-28} {Name(type),-9} {square[type],9:N1}");
            }
        }

        if (options.BFloat16)
        {
            var f32 = GemmRates.Mix(rates.Where(r => r.Type == ScalarType.Float32).Select(r => (r.Flops, r.Gflops)));
            var b16 = GemmRates.Mix(rates.Where(r => r.Type == ScalarType.BFloat16).Select(r => (r.Flops, r.Gflops)));
            Console.WriteLine($"  bfloat16 calibration: the expert shapes run {b16 / f32:F2}x the float32 rate ({(b16 > f32 ? "bfloat16 is faster here" : "float32 is faster here: keep float32")}; native bf16 {(CpuFeatures.HasNativeBFloat16() ? "present" : "absent")})");
        }

        Console.WriteLine();
        Console.WriteLine($"Training step against the peaks (peak 1: the expert-shape GEMM mix of each model in float32, its three products weighted by FLOP, and in the step's own precision where that is bfloat16; peak 2: the square {options.Square}^3 product in the step's precision):");
        foreach (var name in options.Models)
        {
            var work = flops[name];
            double Mix(ScalarType type) => GemmRates.Mix(work.Layers.Where(l => l.IsExpert).SelectMany(l => rates
                .Where(r => r.Type == type && r.In == l.InputWidth && r.Out == l.OutputWidth)
                .Select(r => (l.ForwardPerSample, r.Gflops))));
            using var model = TrainingSteps.Create(name, data, options.Precision);
            // Precision first, as the trainer does: the expert executions are then timed in it.
            var precision = PrecisionSetup.Apply(model, rows);
            var stepType = precision?.Chosen.ComputeType() ?? options.Precision.ComputeType();
            var precisionText = precision is null ? Name(stepType) : $"{Name(stepType)} (auto: float32 {precision.Float32Ms:N0} ms, bfloat16 {precision.BFloat16Ms:N0} ms per forward + backward of {precision.Module})";
            var setting = ExpertSettings.Apply(model, options.Experts, rows);
            var timing = TrainingSteps.Measure(model, train, rows, options.Warmup, options.Steps);
            var achieved = timing.SamplesPerSecond * work.TrainingPerSample / 1e9;
            var mix = Mix(ScalarType.Float32);
            var ownMix = stepType == ScalarType.BFloat16 && options.BFloat16 ? Mix(stepType) : 0;
            var ownText = ownMix > 0 ? $", {achieved / ownMix:P0} of the bfloat16 mix {ownMix:N1}" : string.Empty;
            var squareText = square.TryGetValue(stepType, out var sq) ? $", {achieved / sq:P0} of the square peak {sq:N0}" : string.Empty;
            Console.WriteLine(
                $"  {name,-10} {work.TrainingPerSample / 1e6,7:N1} MFLOP/sample ({work.ExpertShare:P0} in experts)  {timing.SamplesPerSecond,9:N0} samples/s  {timing.MeanMs,7:N1} ms/step  "
                + $"{achieved,7:N1} GFLOP/s = {achieved / mix:P0} of the float32 expert-mix peak {mix:N1}{ownText}{squareText}; float32 ceiling {mix * 1e9 / work.TrainingPerSample:N0} samples/s; "
                + $"CPU {timing.CpuMsPerStep / (timing.MeanMs * threads):P0} busy; {precisionText}; {setting}");
            if (name == StemNet.Name)
            {
                Console.WriteLine($"             target >= {StemTarget:P0} of the float32 expert-mix peak: {(achieved / mix >= StemTarget ? "met" : "NOT met")} ({Name(stepType)} step)");
            }
        }

        Console.WriteLine();
        Console.WriteLine("FLOP per sample: every linear layer's 2·in·out per row forward, twice that backward (ModelCompute); the expert mixture, lookups, activations, loss and optimizer are not counted.");
        Console.WriteLine("CPU busy: process CPU time over wall time × threads during the timed steps.");
        if (options.Steps < 20)
        {
            Console.WriteLine($"Only {options.Steps} timed step(s): a smoke run, not a measurement.");
        }

        return 0;
    }

    private static string Name(ScalarType type) => type == ScalarType.BFloat16 ? "bfloat16" : type == ScalarType.Float32 ? "float32" : type.ToString();
}
