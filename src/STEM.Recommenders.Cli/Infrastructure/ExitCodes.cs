namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>What the process exit code says; docs/cli.md lists them.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>A data file, side table or model artifact is missing or malformed.</summary>
    public const int Data = 1;

    /// <summary>The command line is wrong: an unknown option, a missing or bad value.</summary>
    public const int Usage = 2;

    /// <summary>The experiment (file or the options that build it) is invalid.</summary>
    public const int Configuration = 3;

    /// <summary>The native LibTorch runtime or the requested device cannot be used.</summary>
    public const int Runtime = 4;

    /// <summary>Anything else: a bug, or a native failure such as running out of memory.</summary>
    public const int Internal = 5;

    /// <summary>Interrupted (Ctrl+C), as shells report SIGINT.</summary>
    public const int Cancelled = 130;
}
