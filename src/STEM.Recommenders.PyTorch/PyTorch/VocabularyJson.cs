using System.Text.Json.Nodes;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;

namespace STEM.Recommenders.PyTorch;

/// <summary>
/// vocab.json: everything a PyTorch or TorchRec pipeline needs to turn raw rows into the ids the
/// exported tables are indexed with — per field its value→id map (or hash buckets, bucket
/// boundaries, scaling statistics), its offset in the one global id space and in its table, and its slots.
/// </summary>
internal static class VocabularyJson
{
    public const string Format = "stem-vocabulary";

    public const int FormatVersion = 1;

    public static JsonObject Build(IMultiTaskModel model, FeaturePipeline pipeline, IReadOnlyDictionary<Modules.EmbeddingBank, (string? Wide, string? Shared)> tableNames)
    {
        var layout = pipeline.Layout;

        // The pipeline's own JSON of each declaration (transforms, min-count, ...), as it saves it.
        var specs = JsonNode.Parse(pipeline.ToJson())!["fitted"]!.AsArray();
        var fields = new JsonArray();
        // The layout orders fields by table (task-specific first); the pipeline in schema order.
        var fitted = pipeline.Fitted.Select((f, i) => (f, i)).ToDictionary(x => x.f.Spec.Name, StringComparer.Ordinal);
        foreach (var field in layout.Fields)
        {
            var (feature, index) = fitted[field.Name];
            fields.Add(Field(field, feature, specs[index]?["spec"]?.DeepClone(), layout, tableNames));
        }

        var tables = new JsonArray();
        foreach (var (bank, (wide, shared)) in tableNames)
        {
            if (wide is not null)
            {
                tables.Add(new JsonObject
                {
                    ["name"] = wide,
                    ["rows"] = bank.TaskSpecificTable!.shape[0],
                    ["width"] = bank.TaskSpecificTable.shape[1],
                    ["globalIdOffset"] = 0,
                    ["views"] = bank.ViewCount,
                    ["layout"] = $"row = [view 0 | … | view {bank.ViewCount - 1}], {bank.Dim} floats each: view t is task t's embedding (tasks in order), the last view the shared one",
                });
            }

            if (shared is not null)
            {
                tables.Add(new JsonObject
                {
                    ["name"] = shared,
                    ["rows"] = bank.SharedTable!.shape[0],
                    ["width"] = bank.SharedTable.shape[1],
                    ["globalIdOffset"] = bank.WideFields == 0 ? 0 : layout.TaskSpecificRows,
                    ["views"] = 1,
                    ["layout"] = $"row = the shared embedding, {bank.Dim} floats, used by every task",
                });
            }
        }

        return new JsonObject
        {
            ["format"] = Format,
            ["formatVersion"] = FormatVersion,
            ["model"] = model.ModelName,
            ["tasks"] = new JsonArray(pipeline.TaskNames.Select(t => (JsonNode?)t).ToArray()),
            ["slots"] = layout.SlotCount,
            ["totalRows"] = layout.TotalRows,
            ["ids"] = "A row's ids are [slots] int64 in one global id space: slot s holds field.offset + local id. A field's row of its table is global id - table.globalIdOffset (= field.tableOffset + local id).",
            ["tables"] = tables,
            ["fields"] = fields,
        };
    }

    private static JsonObject Field(FieldLayout field, FittedFeature fitted, JsonNode? spec, FeatureLayout layout, IReadOnlyDictionary<Modules.EmbeddingBank, (string? Wide, string? Shared)> tableNames)
    {
        // Models without task views keep every field in their shared table, whatever the layout says.
        var inWide = field.TaskSpecific && tableNames.Values.Any(t => t.Wide is not null);
        var table = tableNames.Values.Select(t => inWide ? t.Wide : t.Shared).FirstOrDefault(n => n is not null);
        var tableOffset = inWide || !tableNames.Values.Any(t => t.Wide is not null) ? field.Offset : field.Offset - layout.TaskSpecificRows;
        var node = new JsonObject
        {
            ["name"] = field.Name,
            ["kind"] = Kind(fitted.Spec),
            ["columns"] = new JsonArray(fitted.Spec.SourceColumns.Select(c => (JsonNode?)c).ToArray()),
            ["taskSpecific"] = inWide,
            ["table"] = table,
            ["offset"] = field.Offset,
            ["tableOffset"] = tableOffset,
            ["rows"] = field.Rows,
            ["firstSlot"] = field.FirstSlot,
            ["slots"] = field.SlotCount,
        };
        switch (fitted.Spec)
        {
            case CategoricalFeature { HashBuckets: { } buckets }:
                node["ids"] = "0: missing; 1 + (hash(key) mod hashBuckets) otherwise";
                node["hashBuckets"] = buckets;
                node["hash"] = "FNV-1a 64-bit over the key's UTF-16 code units (offset basis 14695981039346656037, prime 1099511628211), as unsigned";
                break;
            case CategoricalFeature:
                node["ids"] = "0: missing or not in the vocabulary; vocabulary[key] otherwise";
                node["vocabulary"] = Map(fitted.Vocabulary!, 1);
                break;
            case MultiValueFeature m:
                node["ids"] = $"up to {m.MaxLength} values split on separator, one per slot: vocabulary[value], or 1 for a value not in it; 1 in the first slot (weight 1) when there is no value; 0 (weight 0) in unused slots";
                node["separator"] = m.Separator;
                node["pooling"] = m.Pooling.ToString();
                node["vocabulary"] = Map(fitted.Vocabulary!, 2);
                break;
            case NumericFeature { Buckets: not null }:
                node["ids"] = "0: missing; 1 + (number of boundaries <= value) otherwise";
                node["boundaries"] = new JsonArray(fitted.Boundaries!.Select(b => (JsonNode?)b).ToArray());
                break;
            case NumericFeature n:
                node["ids"] = "always the field's one row; the slot weight is the scaled value (0 when missing)";
                node["scaling"] = n.Scaling.ToString();
                AddIfSet(node, "mean", fitted.Mean);
                AddIfSet(node, "standardDeviation", fitted.StandardDeviation);
                AddIfSet(node, "minimum", fitted.Minimum);
                AddIfSet(node, "maximum", fitted.Maximum);
                break;
            case DenseVectorFeature:
                node["ids"] = "slot j (j < dimension) holds row j with weight = component j, standardised ((x - componentMeans[j]) / componentStandardDeviations[j]) when those are given, 0 when the vector is missing; the last slot holds row dimension with weight 1 when the vector is missing, else 0";
                if (fitted.ComponentMeans is { } means)
                {
                    node["componentMeans"] = new JsonArray(means.Select(v => (JsonNode?)v).ToArray());
                    node["componentStandardDeviations"] = new JsonArray(fitted.ComponentStandardDeviations!.Select(v => (JsonNode?)v).ToArray());
                }

                break;
        }

        node["spec"] = spec;
        return node;
    }

    private static string Kind(FeatureSpec spec) => spec switch
    {
        CategoricalFeature { HashBuckets: not null } => "hashed",
        CategoricalFeature => "categorical",
        MultiValueFeature => "multi-value",
        NumericFeature { Buckets: not null } => "bucketised",
        NumericFeature => "numeric",
        DenseVectorFeature => "dense-vector",
        _ => spec.GetType().Name,
    };

    private static JsonObject Map(IReadOnlyList<string> vocabulary, int first)
    {
        var map = new JsonObject();
        for (var i = 0; i < vocabulary.Count; i++)
        {
            map[vocabulary[i]] = first + i;
        }

        return map;
    }

    private static void AddIfSet(JsonObject node, string name, double? value)
    {
        if (value is { } v)
        {
            node[name] = v;
        }
    }
}
