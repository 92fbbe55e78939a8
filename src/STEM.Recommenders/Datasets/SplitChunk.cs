using STEM.Recommenders.Data;

namespace STEM.Recommenders.Datasets;

/// <summary>One chunk of a streamed source, already joined and cut into its training, validation and test rows.</summary>
/// <param name="Train">Rows of the chunk that belong to the training split.</param>
/// <param name="Validation">Rows that belong to the validation split.</param>
/// <param name="Test">Rows that belong to the test split.</param>
public sealed record SplitChunk(DataTable Train, DataTable Validation, DataTable Test);
