namespace STEM.Recommenders.Data;

/// <summary>
/// Raised when input data is malformed. The message always names the file and, where it applies,
/// the line and the column, so that a user can open the file and see the offending value.
/// </summary>
public sealed class DataFormatException : FormatException
{
    /// <summary>Creates an exception for a problem at <paramref name="location"/>.</summary>
    public DataFormatException(SourceLocation location, string problem)
        : base($"{location}: {problem}")
    {
        Location = location;
        Problem = problem;
    }

    /// <summary>Creates an exception for a problem with a whole file (no line applies).</summary>
    public DataFormatException(string path, string problem)
        : this(new SourceLocation(path, null, null), problem)
    {
    }

    /// <summary>Where the problem is.</summary>
    public SourceLocation Location { get; }

    /// <summary>The problem, without the location prefix.</summary>
    public string Problem { get; }
}
