using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace STEM.Recommenders.Evaluation;

/// <summary>
/// Reads and writes <see cref="EvaluationState"/> in its JSON form (see its remarks). Reading checks
/// every invariant a state holds, so a damaged or edited file is an error that names the JSON path
/// rather than a silently wrong metric.
/// </summary>
internal sealed class EvaluationStateJsonConverter : JsonConverter<EvaluationState>
{
    public override void Write(Utf8JsonWriter writer, EvaluationState value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteNumber("version", EvaluationState.FormatVersion);
        writer.WriteStartArray("tasks");
        foreach (var task in value.Tasks)
        {
            writer.WriteStartObject();
            writer.WriteString("task", task.Task);
            writer.WriteStartObject("ungrouped");
            WriteRuns(writer, task.Ungrouped);
            writer.WriteEndObject();
            WriteGroups(writer, task);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    public override EvaluationState Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        using var document = JsonDocument.ParseValue(ref reader);
        var root = document.RootElement;
        Expect(root, JsonValueKind.Object, "$");
        var version = Property(root, "version", "$");
        if (!version.TryGetInt32(out var v) || v != EvaluationState.FormatVersion)
        {
            throw new JsonException($"$.version: {version.GetRawText()} is not a state version this library reads ({EvaluationState.FormatVersion})");
        }

        var tasks = Property(root, "tasks", "$");
        Expect(tasks, JsonValueKind.Array, "$.tasks");
        var names = new List<string>();
        foreach (var (task, i) in tasks.EnumerateArray().Select((t, i) => (t, i)))
        {
            var path = $"$.tasks[{i}]";
            Expect(task, JsonValueKind.Object, path);
            names.Add(String(Property(task, "task", path), $"{path}.task"));
        }

        EvaluationState state;
        try
        {
            state = new EvaluationState(names);
        }
        catch (ArgumentException e)
        {
            throw new JsonException($"$.tasks: {WithoutParameter(e.Message)}", e);
        }

        foreach (var (task, i) in tasks.EnumerateArray().Select((t, i) => (t, i)))
        {
            var path = $"$.tasks[{i}]";
            var target = state.Tasks[i];
            target.Ungrouped.Merge(ReadRuns(Property(task, "ungrouped", path), $"{path}.ungrouped"));
            ReadGroups(Property(task, "groups", path), $"{path}.groups", target);
        }

        return state;
    }

    private static void WriteGroups(Utf8JsonWriter writer, TaskMetricState task)
    {
        // Key order makes the file a function of the state alone: a re-run writes the same bytes.
        // Columnar (every group's runs in one set of arrays) because most groups are a user with a
        // few samples, whose per-group objects would cost more than their numbers.
        var keys = task.Groups.Where(g => g.Value.Count > 0).Select(g => g.Key).Order(StringComparer.Ordinal).ToArray();
        var runs = keys.Select(k => task.Groups[k].Runs).ToArray();
        writer.WriteStartObject("groups");
        writer.WriteStartArray("keys");
        foreach (var key in keys)
        {
            writer.WriteStringValue(key);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("runs");
        foreach (var group in runs)
        {
            writer.WriteNumberValue(group.Count);
        }

        writer.WriteEndArray();
        WriteRuns(writer, runs.SelectMany(r => r).ToArray());
        writer.WriteEndObject();
    }

    private static void ReadGroups(JsonElement element, string path, TaskMetricState target)
    {
        Expect(element, JsonValueKind.Object, path);
        var keys = Property(element, "keys", path);
        var counts = Property(element, "runs", path);
        Expect(keys, JsonValueKind.Array, $"{path}.keys");
        Expect(counts, JsonValueKind.Array, $"{path}.runs");
        if (counts.GetArrayLength() != keys.GetArrayLength())
        {
            throw new JsonException($"{path}: keys and runs have {keys.GetArrayLength()} and {counts.GetArrayLength()} entries; they must have as many");
        }

        var runs = ReadRunArrays(element, path);
        var at = 0;
        using var k = keys.EnumerateArray();
        using var c = counts.EnumerateArray();
        for (var g = 0; k.MoveNext() && c.MoveNext(); g++)
        {
            var key = String(k.Current, $"{path}.keys[{g}]");
            if (target.Groups.ContainsKey(key))
            {
                throw new JsonException($"{path}.keys[{g}]: group '{key}' appears more than once");
            }

            var count = Count(c.Current, $"{path}.runs[{g}]");
            if (count < 1 || count > runs.Length - at)
            {
                throw new JsonException($"{path}.runs[{g}]: {count} runs for group '{key}', but {runs.Length - at} of the {runs.Length} runs are left (each group has at least one)");
            }

            target.Group(key).Merge(FromRuns(runs.AsSpan(at, (int)count).ToArray(), $"{path} (group '{key}')"));
            at += (int)count;
        }

        if (at != runs.Length)
        {
            throw new JsonException($"{path}.runs: the groups' runs add up to {at}, but there are {runs.Length} scores");
        }
    }

    private static void WriteRuns(Utf8JsonWriter writer, ScoreHistogram histogram) => WriteRuns(writer, histogram.Runs);

    private static void WriteRuns(Utf8JsonWriter writer, IReadOnlyList<ScoreRun> runs)
    {
        writer.WriteStartArray("scores");
        foreach (var run in runs)
        {
            if (float.IsFinite(run.Score))
            {
                writer.WriteNumberValue(run.Score);
            }
            else
            {
                // JSON has no NaN or infinity; a broken model's scores still round-trip.
                writer.WriteStringValue(run.Score.ToString(CultureInfo.InvariantCulture));
            }
        }

        writer.WriteEndArray();
        writer.WriteStartArray("positives");
        foreach (var run in runs)
        {
            writer.WriteNumberValue(run.Positives);
        }

        writer.WriteEndArray();
        writer.WriteStartArray("negatives");
        foreach (var run in runs)
        {
            writer.WriteNumberValue(run.Negatives);
        }

        writer.WriteEndArray();
    }

    private static ScoreHistogram ReadRuns(JsonElement element, string path)
    {
        Expect(element, JsonValueKind.Object, path);
        return FromRuns(ReadRunArrays(element, path), path);
    }

    private static ScoreRun[] ReadRunArrays(JsonElement element, string path)
    {
        var scores = Property(element, "scores", path);
        var positives = Property(element, "positives", path);
        var negatives = Property(element, "negatives", path);
        Expect(scores, JsonValueKind.Array, $"{path}.scores");
        Expect(positives, JsonValueKind.Array, $"{path}.positives");
        Expect(negatives, JsonValueKind.Array, $"{path}.negatives");
        var n = scores.GetArrayLength();
        if (positives.GetArrayLength() != n || negatives.GetArrayLength() != n)
        {
            throw new JsonException($"{path}: scores, positives and negatives have {n}, {positives.GetArrayLength()} and {negatives.GetArrayLength()} entries; they must have as many");
        }

        var runs = new ScoreRun[n];
        using var s = scores.EnumerateArray();
        using var p = positives.EnumerateArray();
        using var q = negatives.EnumerateArray();
        for (var i = 0; i < n && s.MoveNext() && p.MoveNext() && q.MoveNext(); i++)
        {
            runs[i] = new ScoreRun(Score(s.Current, $"{path}.scores[{i}]"), Count(p.Current, $"{path}.positives[{i}]"), Count(q.Current, $"{path}.negatives[{i}]"));
        }

        return runs;
    }

    private static ScoreHistogram FromRuns(ScoreRun[] runs, string path)
    {
        try
        {
            return ScoreHistogram.FromRuns(runs);
        }
        catch (ArgumentException e)
        {
            throw new JsonException($"{path}: {WithoutParameter(e.Message)}", e);
        }
    }

    private static float Score(JsonElement element, string path)
    {
        if (element.ValueKind == JsonValueKind.Number && element.TryGetSingle(out var value))
        {
            return value;
        }

        if (element.ValueKind == JsonValueKind.String && float.TryParse(element.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out value) && !float.IsFinite(value))
        {
            return value;
        }

        throw new JsonException($"{path}: {element.GetRawText()} is not a score");
    }

    private static long Count(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out var value) && value >= 0
            ? value
            : throw new JsonException($"{path}: {element.GetRawText()} is not a count (a non-negative integer)");

    private static JsonElement Property(JsonElement element, string name, string path) =>
        element.TryGetProperty(name, out var value) ? value : throw new JsonException($"{path}: property '{name}' is missing");

    private static string String(JsonElement element, string path) =>
        element.ValueKind == JsonValueKind.String && element.GetString() is { Length: > 0 } text
            ? text
            : throw new JsonException($"{path}: {element.GetRawText()} is not a non-empty string");

    private static void Expect(JsonElement element, JsonValueKind kind, string path)
    {
        if (element.ValueKind != kind)
        {
            throw new JsonException($"{path}: expected {(kind == JsonValueKind.Array ? "an array" : "an object")} but found {element.ValueKind.ToString().ToLowerInvariant()}");
        }
    }

    private static string WithoutParameter(string message)
    {
        var cut = message.IndexOf(" (Parameter '", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
