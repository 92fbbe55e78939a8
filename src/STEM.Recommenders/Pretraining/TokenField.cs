using System.Text.Json.Serialization;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// A column of the event log that becomes tokens of each event (an item of a user's sequence).
/// Every field owns fixed token slots of an item (one, or <see cref="MaxValues"/> for a
/// multi-valued field), so a token's position says which field it came from. A missing (empty)
/// value gives no token.
/// </summary>
public sealed record TokenField
{
    /// <summary>The field's name: the prefix of its tokens (<c>name=value</c>) and, unless <see cref="Column"/> is set, the column.</summary>
    public required string Name { get; init; }

    /// <summary>The source column; defaults to <see cref="Name"/>.</summary>
    public string? Column { get; init; }

    /// <summary>How the value becomes tokens. Default <see cref="TokenFieldKind.Categorical"/>.</summary>
    public TokenFieldKind Kind { get; init; } = TokenFieldKind.Categorical;

    /// <summary>Separator between the values of a multi-valued cell. Default ",".</summary>
    public string Separator { get; init; } = ",";

    /// <summary>A multi-valued field keeps at most this many values (the first ones). Default 3; ignored by other kinds.</summary>
    public int MaxValues { get; init; } = 3;

    /// <summary>Values that make a label field emit its token. Default ["1"]; ignored by other kinds.</summary>
    public IReadOnlyList<string> PositiveValues { get; init; } = ["1"];

    /// <summary>The column the raw value is read from.</summary>
    [JsonIgnore]
    public string SourceColumn => Column ?? Name;

    /// <summary>Token slots this field occupies in an item: <see cref="MaxValues"/> for a multi-valued field, else 1.</summary>
    [JsonIgnore]
    public int Slots => Kind == TokenFieldKind.MultiValue ? MaxValues : 1;

    /// <summary>A categorical field.</summary>
    public static TokenField Categorical(string name) => new() { Name = name };

    /// <summary>A multi-valued field split by <paramref name="separator"/>, keeping at most <paramref name="maxValues"/> values.</summary>
    public static TokenField MultiValue(string name, string separator = ",", int maxValues = 3) =>
        new() { Name = name, Kind = TokenFieldKind.MultiValue, Separator = separator, MaxValues = maxValues };

    /// <summary>A label field that emits <c>name=1</c> when the value is one of <paramref name="positiveValues"/> (default "1").</summary>
    public static TokenField Label(string name, params string[] positiveValues) =>
        new() { Name = name, Kind = TokenFieldKind.Label, PositiveValues = positiveValues.Length == 0 ? ["1"] : positiveValues };

    /// <summary>Checks the values.</summary>
    /// <exception cref="ArgumentException">A value is out of range; the message names the field and the option.</exception>
    public void Validate()
    {
        void Require(bool ok, string option, string rule)
        {
            if (!ok)
            {
                throw new ArgumentException($"{GetType().Name}.{option} {rule} (field '{Name}').", option);
            }
        }

        Require(!string.IsNullOrWhiteSpace(Name), nameof(Name), "must not be empty");
        Require(!Name.Contains('=', StringComparison.Ordinal), nameof(Name), "must not contain '=' (it separates a token's field from its value)");
        Require(Column is null || Column.Length > 0, nameof(Column), "must not be empty when set");
        Require(Enum.IsDefined(Kind), nameof(Kind), "must be Categorical, MultiValue or Label");
        if (Kind == TokenFieldKind.MultiValue)
        {
            Require(!string.IsNullOrEmpty(Separator), nameof(Separator), "must not be empty");
            Require(MaxValues >= 1, nameof(MaxValues), "must be at least 1");
        }

        if (Kind == TokenFieldKind.Label)
        {
            Require(PositiveValues is { Count: > 0 }, nameof(PositiveValues), "must list at least one value");
        }
    }
}
