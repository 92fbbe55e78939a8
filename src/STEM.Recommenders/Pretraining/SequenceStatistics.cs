namespace STEM.Recommenders.Pretraining;

/// <summary>What an encoding into one sequence per user did.</summary>
/// <param name="UsersConsidered">Users of the log in the requested set (all users when no set was given).</param>
/// <param name="UsersKept">Users that have a sequence (at least one event).</param>
/// <param name="Events">Events of the kept users.</param>
/// <param name="EventsKept">Events in the sequences, after truncation to the most recent L.</param>
public sealed record SequenceStatistics(int UsersConsidered, int UsersKept, long Events, long EventsKept);
