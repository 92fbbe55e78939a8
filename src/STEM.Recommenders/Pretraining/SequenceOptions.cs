using System.Text.Json.Serialization;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// How an event log becomes users' behaviour sequences for CLUE pretraining: who the user is,
/// what orders the events, which columns become tokens of an item, how long a sequence is and how
/// events are divided into two views.
/// </summary>
public sealed record SequenceOptions
{
    /// <summary>The user key column. Default "user_id".</summary>
    public string UserColumn { get; init; } = "user_id";

    /// <summary>The column that orders a user's events, compared as a number; ties keep file order. Default "time_ms".</summary>
    public string TimeColumn { get; init; } = "time_ms";

    /// <summary>The columns that become tokens of each event, in slot order (required, at least one).</summary>
    public required IReadOnlyList<TokenField> Tokens { get; init; }

    /// <summary>Items per sequence (per view) L; a user with more events keeps the most recent L. Default 32.</summary>
    public int MaxLength { get; init; } = 32;

    /// <summary>Token slots per item K: one per categorical or label field plus <see cref="TokenField.MaxValues"/> per multi-valued field.</summary>
    [JsonIgnore]
    public int MaxTokensPerItem => Tokens?.Sum(t => t.Slots) ?? 0;

    /// <summary>A user enters the pairs only with at least this many events in each view (k). Default 2.</summary>
    public int MinEventsPerView { get; init; } = 2;

    /// <summary>Tokens seen fewer times than this in the training users' events map to OOV. Default 2.</summary>
    public int MinTokenCount { get; init; } = 2;

    /// <summary>How events are divided into views A and B. Default <see cref="ServiceViews"/> on "tab", view A = tab 1.</summary>
    public ViewStrategy Views { get; init; } = new ServiceViews();

    /// <summary>The columns of KuaiRand's video features file that <see cref="KuaiRand"/> reads (join them on video_id).</summary>
    public static IReadOnlyList<string> KuaiRandVideoColumns { get; } = ["author_id", "music_id", "tag", "video_type", "upload_type"];

    /// <summary>
    /// Defaults for the KuaiRand(-Pure) log left-joined with its video features on video_id:
    /// tokens video_id, author_id, music_id, tag (multi-valued, ",", at most 3), video_type,
    /// upload_type and the labels is_click, long_view, is_like (positive "1"); users by user_id,
    /// ordered by time_ms; view A = tab 1 (the main feed), view B = every other tab.
    /// Without the video features join, use <see cref="KuaiRandLogOnly"/>.
    /// </summary>
    public static SequenceOptions KuaiRand { get; } = new()
    {
        Tokens =
        [
            TokenField.Categorical("video_id"),
            TokenField.Categorical("author_id"),
            TokenField.Categorical("music_id"),
            TokenField.MultiValue("tag", ",", 3),
            TokenField.Categorical("video_type"),
            TokenField.Categorical("upload_type"),
            TokenField.Label("is_click"),
            TokenField.Label("long_view"),
            TokenField.Label("is_like"),
        ],
    };

    /// <summary>As <see cref="KuaiRand"/> with only the log's own columns (video_id and the labels), for a log without video features.</summary>
    public static SequenceOptions KuaiRandLogOnly { get; } = new()
    {
        Tokens = [TokenField.Categorical("video_id"), TokenField.Label("is_click"), TokenField.Label("long_view"), TokenField.Label("is_like")],
    };

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the option.</exception>
    public void Validate()
    {
        Require(!string.IsNullOrEmpty(UserColumn), nameof(UserColumn), "must not be empty");
        Require(!string.IsNullOrEmpty(TimeColumn), nameof(TimeColumn), "must not be empty");
        Require(Tokens is { Count: > 0 }, nameof(Tokens), "must list at least one token field");
        foreach (var field in Tokens)
        {
            Require(field is not null, nameof(Tokens), "must not contain null");
            field!.Validate();
        }

        var duplicate = Tokens.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        Require(duplicate is null, nameof(Tokens), $"must not name a field twice ('{duplicate?.Key}')");
        Require(MaxLength >= 1, nameof(MaxLength), "must be at least 1");
        Require(MinEventsPerView >= 1, nameof(MinEventsPerView), "must be at least 1");
        Require(MinTokenCount >= 1, nameof(MinTokenCount), "must be at least 1");
        Require(Views is not null, nameof(Views), "must be set");
        Views!.Validate();
    }

    private void Require(bool condition, string option, string rule)
    {
        if (!condition)
        {
            throw new ArgumentException($"{GetType().Name}.{option} {rule}.", option);
        }
    }
}
