namespace STEM.Recommenders.Hosting;

/// <summary>An experiment configuration is invalid; <see cref="Path"/> is the JSON path of the offending value.</summary>
public sealed class ExperimentConfigException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ExperimentConfigException(string source, string path, string problem, Exception? inner = null)
        : base($"{source}: {path}: {problem}", inner)
    {
        Source = source;
        Path = path;
        Problem = problem;
    }

    /// <summary>The configuration file (or "configuration").</summary>
    public new string Source { get; }

    /// <summary>JSON path of the offending value, e.g. "$.training.batchSize".</summary>
    public string Path { get; }

    /// <summary>What is wrong.</summary>
    public string Problem { get; }
}
