using System.CommandLine;
using System.CommandLine.Parsing;
using System.Reflection;
using STEM.Recommenders.Data;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Runtime;

namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>
/// Turns any failure into an exit code and one line for stderr. The library's exceptions already
/// name the file and line, the JSON path or the option, so the message is shown as it is and a
/// stack trace is never printed: a user needs to know what to fix, not where the code was.
/// </summary>
internal static class ErrorReport
{
    public const string Prefix = "stem: error: ";

    public static (int ExitCode, string Line) Describe(Exception exception)
    {
        var e = Unwrap(exception);
        var (code, message) = e switch
        {
            OperationCanceledException => (ExitCodes.Cancelled, "cancelled"),
            CliUsageException => (ExitCodes.Usage, e.Message),
            ExperimentConfigException => (ExitCodes.Configuration, e.Message),
            DataFormatException => (ExitCodes.Data, e.Message),
            IOException or InvalidDataException or UnauthorizedAccessException => (ExitCodes.Data, e.Message),
            TorchRuntimeException => (ExitCodes.Runtime, e.Message),
            System.Runtime.InteropServices.ExternalException => (ExitCodes.Internal, $"native error in LibTorch: {WithoutNativeFrames(e.Message)} (run with --verbose for LibTorch's detail)"),
            ArgumentNullException => (ExitCodes.Internal, $"internal error ({e.GetType().Name}): {e.Message}"),
            ArgumentException => (ExitCodes.Configuration, WithoutParameter(e.Message)),
            _ => (ExitCodes.Internal, $"internal error ({e.GetType().Name}): {e.Message}"),
        };
        return (code, Prefix + OneLine(message));
    }

    /// <summary>The first parse error, with the option it concerns named when the parser's message does not.</summary>
    public static string Describe(ParseError error)
    {
        var message = OneLine(error.Message);
        var option = error.SymbolResult switch
        {
            OptionResult o => o.Option.Name,
            ArgumentResult { Parent: OptionResult o } => o.Option.Name,
            _ => null,
        };
        return Prefix + (option is null || message.Contains(option, StringComparison.Ordinal) ? message : $"{option}: {message}");
    }

    /// <summary>
    /// LibTorch's message without its C++ stack: it appends "Exception raised from ... (most recent
    /// call first):" and a dozen "frame #N:" lines, which say nothing a user can act on.
    /// </summary>
    public static string WithoutNativeFrames(string message)
    {
        foreach (var marker in new[] { "Exception raised from", "frame #0", "\nframe #" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut >= 0)
            {
                message = message[..cut];
            }
        }

        var first = message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "(no message)";
        return first.TrimEnd(' ', '.', ':');
    }

    /// <summary>The whole exception, inner ones and native frames included, for --verbose.</summary>
    public static string Detail(Exception exception) => exception.ToString();

    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    public static string WithoutParameter(string message)
    {
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    private static Exception Unwrap(Exception e)
    {
        while (true)
        {
            switch (e)
            {
                // PLINQ (pipeline fitting) and Task.WhenAll wrap the exception that matters.
                case AggregateException aggregate when aggregate.Flatten().InnerExceptions.Count > 0:
                    e = aggregate.Flatten().InnerExceptions[0];
                    break;
                case TargetInvocationException { InnerException: { } inner }:
                    e = inner;
                    break;
                default:
                    return e;
            }
        }
    }
}
