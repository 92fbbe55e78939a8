namespace STEM.Recommenders.Datasets;

/// <summary>Parameters of <see cref="SyntheticMultiTaskGenerator"/>.</summary>
public sealed record SyntheticOptions
{
    /// <summary>Rows to generate. Default 20,000.</summary>
    public int Rows { get; init; } = 20_000;

    /// <summary>Input dimension d (numeric features x0..x(d-1)). Default 16.</summary>
    public int Dimensions { get; init; } = 16;

    /// <summary>Number of binary tasks. Default 2.</summary>
    public int Tasks { get; init; } = 2;

    /// <summary>
    /// Correlation ρ between the tasks' weight vectors, in [-1, 1] (the MMoE paper's knob for task
    /// relatedness). Default 0.5.
    /// </summary>
    public double Correlation { get; init; } = 0.5;

    /// <summary>Number of sine terms m. Default 10.</summary>
    public int SineTerms { get; init; } = 10;

    /// <summary>Number of groups (pseudo-users) rows are assigned to, for gAUC. Default 200.</summary>
    public int Groups { get; init; } = 200;

    /// <summary>Number of distinct values of an extra categorical field that shifts each task's score. Default 20.</summary>
    public int CategoricalCardinality { get; init; } = 20;

    /// <summary>Random seed. Default 2023.</summary>
    public int Seed { get; init; } = 2023;
}
