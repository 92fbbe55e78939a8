namespace STEM.Recommenders.Datasets;

/// <summary>Where the census-income files are and how to split them.</summary>
public sealed record CensusIncomeOptions
{
    /// <summary>A file in the UCI census-income (KDD) format (optionally gzipped): no header, 42 fields separated by ", ".</summary>
    public required string Path { get; init; }

    /// <summary>Share of rows for validation. Default 0.15.</summary>
    public double ValidationFraction { get; init; } = 0.15;

    /// <summary>Share of rows for test. Default 0.15.</summary>
    public double TestFraction { get; init; } = 0.15;

    /// <summary>Seed of the row split (the data has no time order to split by). Default 2023.</summary>
    public int Seed { get; init; } = 2023;

    /// <summary>Whether every field gets task-specific embeddings. Default true.</summary>
    public bool TaskSpecificEmbeddings { get; init; } = true;
}
