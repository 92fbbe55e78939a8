using STEM.Recommenders.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // The first Ctrl+C asks training to stop cleanly (the trainer writes its "last" checkpoint);
    // a second one is left to terminate the process.
    if (!cancellation.IsCancellationRequested)
    {
        e.Cancel = true;
        cancellation.Cancel();
    }
};

return await StemCli.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
