using System.Text.Json;

namespace STEM.Recommenders.Cli.Tests.Infrastructure;

/// <summary>The outcome of one in-process run of the CLI.</summary>
public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    /// <summary>stderr's lines (a failure must write exactly one).</summary>
    public string[] ErrorLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>The one error line of a failed run; fails the test when there is not exactly one.</summary>
    public string ErrorLine
    {
        get
        {
            ErrorLines.Should().ContainSingle($"a failure writes one line on stderr, but it wrote:\n{Stderr}");
            return ErrorLines[0];
        }
    }

    public JsonElement Json()
    {
        using var document = JsonDocument.Parse(Stdout);
        return document.RootElement.Clone();
    }

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Stdout}\n--- stderr\n{Stderr}";
}

/// <summary>Runs <c>stem</c> in process with captured output.</summary>
public static class Stem
{
    public static async Task<CliResult> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await StemCli.RunAsync(args, stdout, stderr);
        return new CliResult(code, stdout.ToString(), stderr.ToString());
    }

    /// <summary>Runs and fails the test with the captured output unless the exit code is 0.</summary>
    public static async Task<CliResult> SucceedAsync(params string[] args)
    {
        var result = await RunAsync(args);
        result.ExitCode.Should().Be(0, result.ToString());
        return result;
    }
}
