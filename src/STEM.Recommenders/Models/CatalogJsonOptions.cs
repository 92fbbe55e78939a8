using System.Text.Json;

namespace STEM.Recommenders.Models;

/// <summary>
/// JSON settings that are rebuilt when a model is registered: System.Text.Json caches type
/// information per settings object, and a cached <see cref="ModelOptions"/> contract would not know
/// a model registered after it was first used.
/// </summary>
internal sealed class CatalogJsonOptions(Func<JsonSerializerOptions> create)
{
    private (int Version, JsonSerializerOptions Options)? _current;

    public JsonSerializerOptions Current
    {
        get
        {
            var current = _current;
            var version = ModelCatalog.Version;
            if (current is { } c && c.Version == version)
            {
                return c.Options;
            }

            var options = create();
            options.TypeInfoResolver = ModelCatalog.CreateJsonTypeInfoResolver();
            options.MakeReadOnly();
            _current = (version, options);
            return options;
        }
    }
}
