using System.CommandLine;
using STEM.Recommenders.Runtime;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>Options every command takes (declared once on the root, recursive).</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Json { get; } = new("--json")
    {
        Description = "Write the result as JSON: to stdout when no PATH is given (progress and logs then go to stderr only), else to PATH.",
        HelpName = "PATH",
        Arity = ArgumentArity.ZeroOrOne,
        Recursive = true,
    };

    public Option<ComputeDevice?> Device { get; } = Recursive(OptionParsers.Device("--device", "Where to run: cpu, cuda or auto (CUDA when usable, else CPU). Overrides the experiment's runtime.device."));

    public Option<int?> Threads { get; } = Recursive(OptionParsers.Int("--threads", "CPU threads for LibTorch. Overrides the experiment's runtime.threads.", 1));

    public Option<long?> Seed { get; } = Recursive(OptionParsers.Long("--seed", "Training seed (compare: the first seed). Overrides the experiment's training.seed."));

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "No progress bars or log lines; results and errors are still written.",
        Recursive = true,
    };

    public Option<bool> Verbose { get; } = new("--verbose")
    {
        Description = "On an error, write its full detail (inner exceptions, native LibTorch frames) before the one-line summary.",
        Recursive = true,
    };

    public void AddTo(RootCommand root)
    {
        root.Options.Add(Verbose);
        root.Options.Add(Json);
        root.Options.Add(Device);
        root.Options.Add(Threads);
        root.Options.Add(Seed);
        root.Options.Add(Quiet);
    }

    private static Option<T> Recursive<T>(Option<T> option)
    {
        option.Recursive = true;
        return option;
    }
}
