namespace STEM.Recommenders.Pretraining;

/// <summary>One event of a user as <see cref="UserEventLog"/> holds it (for inspection and tests).</summary>
/// <param name="Time">The time value it is ordered by.</param>
/// <param name="InFirstView">Whether the view strategy put it in view A.</param>
/// <param name="Tokens">Its tokens (<c>name=value</c>), in field order, absent slots left out.</param>
public sealed record UserEvent(double Time, bool InFirstView, IReadOnlyList<string> Tokens);
