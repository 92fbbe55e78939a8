namespace STEM.Recommenders.Features;

/// <summary>
/// A binary prediction task and the column its label is read from. Labels are strict: a value
/// that is neither positive nor negative is an error, never a silent 0.
/// </summary>
public sealed record TaskSpec
{
    /// <summary>The task's name (unique in a schema), e.g. "is_click".</summary>
    public required string Name { get; init; }

    /// <summary>The label column; defaults to <see cref="Name"/>.</summary>
    public string? Column { get; init; }

    /// <summary>Raw values that mean "positive". Default "1".</summary>
    public IReadOnlyList<string> PositiveValues { get; init; } = ["1"];

    /// <summary>
    /// Raw values that mean "negative". Default "0". <see langword="null"/> means every value that
    /// is not positive is negative (e.g. census "never married" vs every other marital status).
    /// </summary>
    public IReadOnlyList<string>? NegativeValues { get; init; } = ["0"];

    /// <summary>
    /// Whether an empty label is allowed; such rows get label-mask 0 for this task and do not count
    /// in its loss or metrics. Default true.
    /// </summary>
    public bool AllowMissing { get; init; } = true;

    /// <summary>The column the label is read from.</summary>
    public string SourceColumn => Column ?? Name;
}
