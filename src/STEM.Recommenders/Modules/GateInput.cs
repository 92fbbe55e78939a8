using System.Text.Json.Serialization;

namespace STEM.Recommenders.Modules;

/// <summary>What a STEM task gate reads.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<GateInput>))]
public enum GateInput
{
    /// <summary>Task-t view plus the shared view (a sum): what the authors' code does. Default.</summary>
    TaskPlusShared,

    /// <summary>Task-t view only: what the paper's figure draws.</summary>
    TaskOnly,
}
