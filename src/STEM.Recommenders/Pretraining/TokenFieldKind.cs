using System.Text.Json.Serialization;

namespace STEM.Recommenders.Pretraining;

/// <summary>How a <see cref="TokenField"/> turns an event's value into tokens.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<TokenFieldKind>))]
public enum TokenFieldKind
{
    /// <summary>One token <c>name=value</c>.</summary>
    Categorical,

    /// <summary>The value is split by <see cref="TokenField.Separator"/>; at most <see cref="TokenField.MaxValues"/> tokens <c>name=part</c>.</summary>
    MultiValue,

    /// <summary>A token <c>name=1</c> only when the value is one of <see cref="TokenField.PositiveValues"/>; nothing otherwise.</summary>
    Label,
}
