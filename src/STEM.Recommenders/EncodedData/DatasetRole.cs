namespace STEM.Recommenders.EncodedData;

/// <summary>
/// Which split a dataset is. The trainer refuses a <see cref="Test"/> dataset as its validation
/// monitor, so that early stopping and learning-rate schedules never see the test split.
/// </summary>
public enum DatasetRole
{
    /// <summary>Not declared.</summary>
    Unspecified,

    /// <summary>The training split (encoders are fitted on it).</summary>
    Train,

    /// <summary>The validation split (model selection, early stopping).</summary>
    Validation,

    /// <summary>The test split (reported once, never used for a decision).</summary>
    Test,
}
