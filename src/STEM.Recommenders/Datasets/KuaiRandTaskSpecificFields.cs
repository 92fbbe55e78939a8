using System.Text.Json.Serialization;

namespace STEM.Recommenders.Datasets;

/// <summary>Which KuaiRand fields get task-specific embeddings (<see cref="KuaiRandOptions.TaskSpecificFields"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<KuaiRandTaskSpecificFields>))]
public enum KuaiRandTaskSpecificFields
{
    /// <summary>Every field (STEM's default).</summary>
    All,

    /// <summary>The user-side fields only: user_id and the user-feature columns (<see cref="KuaiRandPreset.UserSideFields"/>).</summary>
    UserSide,
}
