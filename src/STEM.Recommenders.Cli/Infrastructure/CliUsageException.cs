namespace STEM.Recommenders.Cli.Infrastructure;

/// <summary>A command-line value is missing or wrong; the message starts with the option's name.</summary>
internal sealed class CliUsageException(string option, string problem) : Exception($"{option}: {problem}");
