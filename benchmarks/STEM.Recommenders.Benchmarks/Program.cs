// STEM.Recommenders benchmarks: one command per measurement.
//
//   dotnet run -c Release --project benchmarks/STEM.Recommenders.Benchmarks -- data  [options]
//   dotnet run -c Release --project benchmarks/STEM.Recommenders.Benchmarks -- train [options]
//   dotnet run -c Release --project benchmarks/STEM.Recommenders.Benchmarks -- limit [options]
//   dotnet run -c Release --project benchmarks/STEM.Recommenders.Benchmarks -- breakdown [options]
//   dotnet run -c Release --project benchmarks/STEM.Recommenders.Benchmarks -- pretrain [options]
//   dotnet run -c Release --project benchmarks/STEM.Recommenders.Benchmarks -- serve [options]
//   dotnet run -c Release --project benchmarks/STEM.Recommenders.Benchmarks -- micro [BenchmarkDotNet args]
//
// See benchmarks/README.md for what each command measures and prints.
using STEM.Recommenders.Benchmarks;

if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
{
    Console.WriteLine(Usage.Text);
    return args.Length == 0 ? 1 : 0;
}

try
{
    var rest = args[1..];
    switch (args[0])
    {
        case "data":
            return await DataCommand.RunAsync(DataCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "train":
            return await TrainCommand.RunAsync(TrainCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "limit":
            return await LimitCommand.RunAsync(LimitCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "breakdown":
            return await BreakdownCommand.RunAsync(BreakdownCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "pretrain":
            return await PretrainCommand.RunAsync(PretrainCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "probe":
            return await ProbeCommand.RunAsync(ProbeCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "grow":
            return await GrowCommand.RunAsync(GrowCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "read":
            return await ReadCommand.RunAsync(rest).ConfigureAwait(false);
        case "cache":
            return await CacheCommand.RunAsync(CacheCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "loader":
            return LoaderCommand.Run(LoaderCommandOptions.Parse(rest, train: false));
        case "cache-train":
            return LoaderCommand.Run(LoaderCommandOptions.Parse(rest, train: true));
        case "serve":
            return await ServeCommand.RunAsync(ServeCommandOptions.Parse(rest)).ConfigureAwait(false);
        case "micro":
            return MicroCommand.Run(rest);
        default:
            Console.Error.WriteLine($"Unknown command '{args[0]}'.");
            Console.Error.WriteLine(Usage.Text);
            return 1;
    }
}
catch (ArgumentException e) when (e is not ArgumentNullException)
{
    Console.Error.WriteLine(e.Message);
    Console.Error.WriteLine();
    Console.Error.WriteLine(Usage.Text);
    return 1;
}
