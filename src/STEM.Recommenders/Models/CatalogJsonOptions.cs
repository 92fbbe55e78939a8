using System.Text.Json;

namespace STEM.Recommenders.Models;

/// <summary>
/// JSON settings that are rebuilt when a model is registered: System.Text.Json caches type
/// information per settings object, and a cached <see cref="ModelOptions"/> contract would not know
/// a model registered after it was first used.
/// </summary>
/// <remarks>
/// Thread-safe: any thread may read <see cref="Current"/> while another registers a model. The
/// version and the settings built for it are published together as one immutable object (a
/// (version, options) struct could be read half-written), and the version is read before the
/// settings are built, so a snapshot never claims a newer catalog than it knows: at worst it is
/// rebuilt once more. Two threads that both see a stale snapshot may both build one; either is right.
/// </remarks>
internal sealed class CatalogJsonOptions(Func<JsonSerializerOptions> create)
{
    private Snapshot? _current;

    public JsonSerializerOptions Current
    {
        get
        {
            var version = ModelCatalog.Version;
            var current = Volatile.Read(ref _current);
            if (current is not null && current.Version == version)
            {
                return current.Options;
            }

            var options = create();
            options.TypeInfoResolver = ModelCatalog.CreateJsonTypeInfoResolver();
            options.MakeReadOnly();
            Volatile.Write(ref _current, new Snapshot(version, options));
            return options;
        }
    }

    private sealed record Snapshot(int Version, JsonSerializerOptions Options);
}
