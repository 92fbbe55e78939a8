using System.CommandLine;
using System.CommandLine.Invocation;
using System.Diagnostics.CodeAnalysis;
using STEM.Recommenders.Cli.Infrastructure;

namespace STEM.Recommenders.Cli;

/// <summary>
/// The <c>stem</c> command line, callable in process: <c>train</c>, <c>evaluate</c>,
/// <c>predict</c> and <c>compare</c>. Results go to <c>stdout</c>; progress, logs and errors to
/// <c>stderr</c>. A failure writes exactly one line, <c>stem: error: ...</c>, naming the file and
/// line, the JSON path or the option at fault, and returns a non-zero exit code (docs/cli.md).
/// </summary>
[SuppressMessage("Maintainability", "CA1515:Consider making public types internal", Justification = "The in-process entry point for tests and hosts.")]
public static class StemCli
{
    /// <summary>Parses <paramref name="args"/>, runs the command and returns the process exit code.</summary>
    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="stdout">Where results (tables, --json documents, scores written to "-") go.</param>
    /// <param name="stderr">Where progress, log lines and errors go.</param>
    /// <param name="cancellationToken">Stops training cleanly (the trainer writes its "last" checkpoint first).</param>
    /// <returns>0 on success; 1 data or artifact error, 2 command-line error, 3 experiment configuration error, 4 native runtime error, 5 internal error, 130 cancelled.</returns>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        var app = new StemApp(stdout, stderr);
        var parse = app.Root.Parse(args);
        if (parse.Errors.Count > 0 && parse.Action is ParseErrorAction or null)
        {
            await stderr.WriteLineAsync(ErrorReport.Describe(parse.Errors[0]));
            return ExitCodes.Usage;
        }

        try
        {
            return await parse.InvokeAsync(
                new InvocationConfiguration
                {
                    Output = stdout,
                    Error = stderr,
                    EnableDefaultExceptionHandler = false,

                    // Cancellation comes from the caller's token (Program.cs maps Ctrl+C onto it).
                    ProcessTerminationTimeout = null,
                },
                cancellationToken);
        }
        catch (Exception e)
        {
            var (code, line) = ErrorReport.Describe(e);
            if (parse.GetValue(app.Options.Verbose))
            {
                // The detail first: the last line stays the one-line summary.
                await stderr.WriteLineAsync(ErrorReport.Detail(e));
            }

            await stderr.WriteLineAsync(line);
            return code;
        }
    }
}
