using STEM.Recommenders.Modules;

namespace STEM.Recommenders.Benchmarks;

/// <summary>Options of the <c>pretrain</c> command.</summary>
/// <param name="Encoders">Named encoder sizes, in the order measured.</param>
/// <param name="Data">shared, sample or a directory; ignored when <paramref name="Synthetic"/> is set.</param>
/// <param name="Synthetic">Users of a generated synthetic log instead of KuaiRand.</param>
/// <param name="Breakdown">Also time the parts of the step (a hand loop equal to Pretrainer's step).</param>
internal sealed record PretrainCommandOptions(
    IReadOnlyList<(string Name, ClueEncoderOptions Options)> Encoders, int BatchSize, int Steps, int Warmup, int Repeat, int? Threads, string? Data, int? Synthetic, bool Breakdown)
{
    /// <summary>The encoder sizes --encoders can name. Dropout stays at its default (0.1): the benchmark times the step stem pretrain runs.</summary>
    public static IReadOnlyDictionary<string, ClueEncoderOptions> Sizes { get; } = new Dictionary<string, ClueEncoderOptions>(StringComparer.OrdinalIgnoreCase)
    {
        ["small"] = new() { Width = 32, Layers = 1, Heads = 2, FeedForward = 64, OutputDim = 32 },
        ["default"] = new(),
        ["large"] = new() { Width = 128, Layers = 2, Heads = 4, FeedForward = 512, OutputDim = 128 },
    };

    public static PretrainCommandOptions Parse(string[] args)
    {
        var encoders = "small,default,large";
        var batch = 128;
        var steps = 30;
        var warmup = 5;
        var repeat = 3;
        int? threads = null;
        string? data = null;
        int? synthetic = null;
        var breakdown = false;
        var line = new CommandLine(args);
        while (line.MoveNext())
        {
            switch (line.Current)
            {
                case "--encoders": encoders = line.Value(); break;
                case "--batch-size": batch = line.PositiveInt(); break;
                case "--steps": steps = line.PositiveInt(); break;
                case "--warmup": warmup = line.NonNegativeInt(); break;
                case "--repeat": repeat = line.PositiveInt(); break;
                case "--threads": threads = line.PositiveInt(); break;
                case "--data": data = line.Value(); break;
                case "--synthetic": synthetic = line.PositiveInt(); break;
                case "--breakdown": breakdown = true; break;
                default: throw line.Unknown();
            }
        }

        if (batch < 2)
        {
            throw new ArgumentException("--batch-size needs at least 2 (a contrastive batch needs negatives).");
        }

        var names = encoders.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var unknown = names.Where(n => !Sizes.ContainsKey(n)).ToArray();
        if (names.Length == 0 || unknown.Length > 0)
        {
            throw new ArgumentException($"--encoders: unknown size(s) '{string.Join(", ", unknown)}'; known: {string.Join(", ", Sizes.Keys)}.");
        }

        return new PretrainCommandOptions(names.Select(n => (n.ToLowerInvariant(), Sizes[n])).ToArray(), batch, steps, warmup, repeat, threads, data, synthetic, breakdown);
    }
}
