using System.Diagnostics;
using System.Text;

namespace STEM.Recommenders.Samples.Tests;

/// <summary>Runs a built sample executable as the README does and returns its exit code and combined output.</summary>
internal static class SampleProcess
{
    public static (int ExitCode, string Output) Run(string sample, string arguments, TimeSpan timeout)
    {
        // Same configuration as this test assembly (bin/Debug or bin/Release).
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var dll = Path.Combine(TestPaths.SampleProject(sample), "bin", configuration, "net10.0", $"{sample}.dll");
        File.Exists(dll).Should().BeTrue($"{sample} is built with the tests ({dll})");
        var start = new ProcessStartInfo("dotnet", $"\"{dll}\" {arguments}")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (output) { output.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{sample} did not finish in {timeout.TotalMinutes} minutes:\n{output}");
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString());
    }
}
