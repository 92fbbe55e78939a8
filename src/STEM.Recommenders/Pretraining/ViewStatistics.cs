namespace STEM.Recommenders.Pretraining;

/// <summary>
/// What <see cref="UserEventLog.EncodePairs"/> did: users considered and kept, users excluded for
/// having fewer than <see cref="SequenceOptions.MinEventsPerView"/> events in a view, and events
/// per view. The exclusions partition the users: one short in both views counts under view A, so
/// <c>UsersKept + ExcludedByViewA + ExcludedByViewB == UsersConsidered</c>.
/// </summary>
/// <param name="UsersConsidered">Users of the log in the requested set (all users when no set was given).</param>
/// <param name="UsersKept">Users with enough events in both views.</param>
/// <param name="ExcludedByViewA">Users with fewer than k events in view A.</param>
/// <param name="ExcludedByViewB">Users with at least k events in view A but fewer than k in view B.</param>
/// <param name="EventsInViewA">Events of the considered users in view A.</param>
/// <param name="EventsInViewB">Events of the considered users in view B.</param>
/// <param name="EventsKeptInViewA">Events in the view A sequences of the kept users, after truncation to the most recent L.</param>
/// <param name="EventsKeptInViewB">Events in the view B sequences of the kept users, after truncation to the most recent L.</param>
public sealed record ViewStatistics(
    int UsersConsidered,
    int UsersKept,
    int ExcludedByViewA,
    int ExcludedByViewB,
    long EventsInViewA,
    long EventsInViewB,
    long EventsKeptInViewA,
    long EventsKeptInViewB);
