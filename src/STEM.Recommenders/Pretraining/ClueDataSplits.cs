namespace STEM.Recommenders.Pretraining;

/// <summary>
/// An event log ready for CLUE pretraining: its users split by a stable hash of the key, the
/// token vocabulary fitted on the training users alone, and two-view pairs for each split.
/// </summary>
/// <param name="Log">The tokenised, time-ordered events per user.</param>
/// <param name="Users">Which users are train, validation and test.</param>
/// <param name="Vocabulary">Fitted on the training users' events only.</param>
/// <param name="Train">Training pairs.</param>
/// <param name="Validation">Held-out pairs for early stopping and model choice.</param>
/// <param name="Test">Held-out pairs reported once.</param>
public sealed record ClueDataSplits(UserEventLog Log, UserSplit Users, TokenVocabulary Vocabulary, UserPairSet Train, UserPairSet Validation, UserPairSet Test) : IDisposable
{
    /// <inheritdoc />
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
