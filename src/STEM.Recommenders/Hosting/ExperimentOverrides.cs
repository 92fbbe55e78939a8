using System.Text.Json;
using System.Text.Json.Nodes;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// Applies option overrides — JSON paths into the experiment document with a value each — to an
/// <see cref="ExperimentConfig"/>: the configuration is written as JSON, the values are set, and the
/// document is read back by <see cref="ExperimentConfigLoader"/>, so that an override is checked
/// exactly as the same value written in the file (unknown options and bad values are refused).
/// </summary>
public static class ExperimentOverrides
{
    /// <summary>Sections an override may not touch: the runtime is the machine's, search and variants describe the runs themselves.</summary>
    private static readonly string[] Fixed = ["runtime", "search", "variants", "$schema"];

    /// <summary>The configuration as the JSON document of an experiment file, without its search and variants sections.</summary>
    public static JsonObject ToJson(ExperimentConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var node = JsonSerializer.SerializeToNode(config with { Search = null, Variants = null, JsonSchema = null }, ExperimentConfigLoader.JsonOptions);
        return node!.AsObject();
    }

    /// <summary>
    /// The configuration with the overrides applied, validated; its search and variants sections
    /// are dropped (the result is one run).
    /// </summary>
    /// <param name="config">The base configuration.</param>
    /// <param name="overrides">JSON path (dot-separated from the root, e.g. "model.sharedExperts") → value.</param>
    /// <param name="source">The file the overrides come from, for error messages.</param>
    /// <param name="where">The JSON path of an override's own entry in that file (e.g. "$.search.space['model.experts']"), for error messages.</param>
    /// <exception cref="ExperimentConfigException">A path is malformed, names an unknown option or a fixed section, or a value is invalid; the message names the entry.</exception>
    public static ExperimentConfig Apply(ExperimentConfig config, IEnumerable<KeyValuePair<string, JsonElement>> overrides, string source, Func<string, string> where)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(overrides);
        ArgumentNullException.ThrowIfNull(where);
        var document = ToJson(config);
        var applied = new List<string>();
        foreach (var (path, value) in overrides)
        {
            Set(document, path, value, source, where(path));
            applied.Add(path);
        }

        try
        {
            return ExperimentConfigLoader.Parse(document.ToJsonString(), source) with { Runtime = config.Runtime };
        }
        catch (ExperimentConfigException e)
        {
            // Name the override that made the document invalid, and what the loader said about it.
            var culprit = applied.LastOrDefault(p => Covers(p, e.Path)) ?? (applied.Count == 1 ? applied[0] : null);
            var entry = culprit is null ? string.Join(", ", applied.Select(where)) : where(culprit);
            throw new ExperimentConfigException(source, entry, $"{e.Path}: {e.Problem}", e);
        }
    }

    /// <summary>
    /// A canonical text of an override set (paths in ordinal order, values as compact JSON): the
    /// key by which <see cref="ExperimentTuner"/> recognises a finished trial.
    /// </summary>
    public static string Key(IEnumerable<KeyValuePair<string, JsonElement>> overrides)
    {
        ArgumentNullException.ThrowIfNull(overrides);
        var obj = new JsonObject();
        foreach (var (path, value) in overrides.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            obj[path] = JsonNode.Parse(value.GetRawText());
        }

        return obj.ToJsonString();
    }

    /// <summary>The segments of a path; "$." in front is allowed.</summary>
    internal static string[] Segments(string path)
    {
        var trimmed = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;
        return trimmed.Split('.');
    }

    /// <summary>Checks the form of a path: dot-separated names, outside the fixed sections.</summary>
    /// <exception cref="ExperimentConfigException">The path is empty, has an empty or indexed segment, or starts in a fixed section.</exception>
    internal static void CheckPath(string path, string source, string entry)
    {
        var segments = Segments(path);
        if (string.IsNullOrWhiteSpace(path) || segments.Any(s => s.Length == 0 || s.IndexOfAny(['[', ']', ' ']) >= 0))
        {
            throw new ExperimentConfigException(source, entry, $"'{path}' is not a dot-separated path of option names such as \"model.sharedExperts\" or \"training.optimizer.learningRate\" (a list is replaced whole: give the new list as the value)");
        }

        if (Fixed.Contains(segments[0], StringComparer.OrdinalIgnoreCase))
        {
            throw new ExperimentConfigException(source, entry, $"'{segments[0]}' cannot be overridden (overrides change data, model, training or weighting)");
        }
    }

    private static void Set(JsonObject document, string path, JsonElement value, string source, string entry)
    {
        CheckPath(path, source, entry);
        var segments = Segments(path);
        var node = document;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            var name = Existing(node, segments[i]);
            switch (node[name])
            {
                case JsonObject child:
                    node = child;
                    break;
                case null:
                    // An option left at null (not written) that holds an object: start it empty.
                    var created = new JsonObject();
                    node[name] = created;
                    node = created;
                    break;
                default:
                    throw new ExperimentConfigException(source, entry, $"'{string.Join('.', segments[..(i + 1)])}' is a value, not a section with options");
            }
        }

        // Letter case does not matter to the loader; reuse the written name so that no duplicate appears.
        node[Existing(node, segments[^1])] = JsonNode.Parse(value.GetRawText());
    }

    private static string Existing(JsonObject node, string name) =>
        node.Select(p => p.Key).FirstOrDefault(k => string.Equals(k, name, StringComparison.OrdinalIgnoreCase)) ?? name;

    /// <summary>Whether the loader's error path (e.g. "$.model.exprts") lies at or under an override's path.</summary>
    private static bool Covers(string overridePath, string errorPath)
    {
        var prefix = "$." + string.Join('.', Segments(overridePath));
        return errorPath.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || prefix.StartsWith(errorPath + ".", StringComparison.OrdinalIgnoreCase) && errorPath != "$";
    }
}
