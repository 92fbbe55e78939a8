using System.Text.Json;
using System.Text.Json.Nodes;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Serving;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace STEM.Recommenders.PyTorch;

/// <summary>
/// Exports a trained <see cref="ModelArtifact"/> for PyTorch and TorchRec: the weights as a PyTorch
/// state dict (<see cref="StateDictFile"/>, <c>torch.load</c> reads it; written with
/// TorchSharp.PyBridge), the fitted vocabularies and the feature layout (<see cref="VocabularyFile"/>),
/// and a description of every tensor (<see cref="DescriptionFile"/>). docs/scale-out.md describes the files.
/// </summary>
public static class PyTorchExport
{
    /// <summary>The state dict file.</summary>
    public const string StateDictFile = "model.pt";

    /// <summary>The vocabularies and feature layout file.</summary>
    public const string VocabularyFile = "vocab.json";

    /// <summary>The description of the export.</summary>
    public const string DescriptionFile = "export.json";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the three files into <paramref name="directory"/>.</summary>
    /// <param name="artifact">The trained model and its pipeline.</param>
    /// <param name="directory">The directory to create.</param>
    /// <param name="overwrite">Replace an existing directory (which is otherwise refused).</param>
    /// <returns>The tensors written, by state-dict name, in file order.</returns>
    /// <exception cref="IOException">The directory exists and <paramref name="overwrite"/> is false, or a write failed; the message names the path.</exception>
    public static IReadOnlyList<ExportedTensor> Export(ModelArtifact artifact, string directory, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var target = Path.GetFullPath(directory);
        if ((Directory.Exists(target) || File.Exists(target)) && !overwrite)
        {
            throw new IOException($"{directory}: already exists; give overwrite (--overwrite) to replace it");
        }

        if (File.Exists(target))
        {
            throw new IOException($"{directory}: is a file; the export is a directory");
        }

        // Written beside the target and renamed into place: a failed export leaves nothing half-written.
        var partial = $"{target}.partial-{Guid.NewGuid():N}";
        Directory.CreateDirectory(partial);
        try
        {
            using var scope = NewDisposeScope();
            var model = artifact.Model;
            var tables = TableNames(model);
            var stateDict = StateDict(model);
            using (var stream = new FileStream(Path.Combine(partial, StateDictFile), FileMode.CreateNew, FileAccess.Write))
            {
                PyTorchPickler.PickleStateDict(stream, stateDict);
            }

            var buffers = model.TorchModule.named_buffers().Select(b => b.name).ToHashSet(StringComparer.Ordinal);
            var tensors = stateDict.Select(kv => new ExportedTensor(kv.Key, kv.Value.shape, DType(kv.Value.dtype), Role(kv.Key, tables, buffers))).ToArray();
            File.WriteAllText(Path.Combine(partial, VocabularyFile), VocabularyJson.Build(model, artifact.Pipeline, tables).ToJsonString(Indented));
            File.WriteAllText(Path.Combine(partial, DescriptionFile), Description(artifact, tensors).ToJsonString(Indented));
            if (Directory.Exists(target))
            {
                Directory.Delete(target, recursive: true);
            }

            Directory.Move(partial, target);
            return tensors;
        }
        catch (IOException e) when (!e.Message.StartsWith(directory, StringComparison.Ordinal))
        {
            throw new IOException($"{directory}: could not write the export ({e.Message})", e);
        }
        finally
        {
            if (Directory.Exists(partial))
            {
                Directory.Delete(partial, recursive: true);
            }
        }
    }

    /// <summary>Reads a state dict written by <see cref="Export"/> (or by <c>torch.save(model.state_dict())</c>) with TorchSharp.PyBridge.</summary>
    /// <returns>The tensors by name, on the CPU; the caller disposes them.</returns>
    /// <exception cref="InvalidDataException">The file is not a PyTorch state dict; the message names it.</exception>
    public static Dictionary<string, Tensor> ReadStateDict(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using var stream = File.OpenRead(path);
        System.Collections.Hashtable table;
        try
        {
            table = PyTorchUnpickler.UnpickleStateDict(stream);
        }
        catch (Exception e) when (e is not IOException and not OutOfMemoryException)
        {
            throw new InvalidDataException($"{path}: not a PyTorch state dict ({e.Message})", e);
        }

        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in table)
        {
            result[(string)entry.Key] = (Tensor)entry.Value!;
        }

        return result;
    }

    /// <summary>The model's state dict as contiguous CPU copies (PyBridge writes a tensor's bytes with its strides).</summary>
    private static Dictionary<string, Tensor> StateDict(IMultiTaskModel model)
    {
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, tensor) in model.TorchModule.state_dict())
        {
            result[name] = tensor.detach().cpu().contiguous().clone();
        }

        return result;
    }

    /// <summary>The state-dict names of each bank's tables.</summary>
    private static Dictionary<EmbeddingBank, (string? Wide, string? Shared)> TableNames(IMultiTaskModel model)
    {
        var names = model.TorchModule.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        return model.EmbeddingBanks.ToDictionary(
            b => b,
            b => (b.TaskSpecificTable is { } w ? names[w.Handle] : null, b.SharedTable is { } s ? names[s.Handle] : null));
    }

    private static string Role(string name, Dictionary<EmbeddingBank, (string? Wide, string? Shared)> tables, HashSet<string> buffers) =>
        tables.Values.Any(t => t.Wide == name) ? "embedding table with task-specific views (vocab.json: tables)"
        : tables.Values.Any(t => t.Shared == name) ? "shared embedding table (vocab.json: tables)"
        : buffers.Contains(name) ? "buffer: a constant of the module (index maps, running statistics), not trained"
        : "dense weight";

    private static string DType(ScalarType type) => type switch
    {
        ScalarType.Float32 => "float32",
        ScalarType.Float64 => "float64",
        ScalarType.BFloat16 => "bfloat16",
        ScalarType.Float16 => "float16",
        ScalarType.Int64 => "int64",
        ScalarType.Int32 => "int32",
        ScalarType.Bool => "bool",
        _ => type.ToString().ToLowerInvariant(),
    };

    private static JsonObject Description(ModelArtifact artifact, IReadOnlyList<ExportedTensor> tensors)
    {
        var model = artifact.Model;
        return new JsonObject
        {
            ["format"] = "stem-pytorch-export",
            ["formatVersion"] = 1,
            ["model"] = model.ModelName,
            ["options"] = JsonSerializer.SerializeToNode(model.Options, model.Options.GetType()),
            ["tasks"] = new JsonArray(model.TaskNames.Select(t => (JsonNode?)t).ToArray()),
            ["libraryVersion"] = artifact.Metadata.LibraryVersion,
            ["artifactCreatedUtc"] = artifact.Metadata.CreatedUtc,
            ["files"] = new JsonObject
            {
                [StateDictFile] = "the weights: a PyTorch state dict (zip archive, pickle protocol of torch.save); torch.load(path, weights_only=True) returns {name: tensor}",
                [VocabularyFile] = "per field the value→id map, hash buckets or bucket boundaries, its offset in the global id space and in its table, and its slots",
                [DescriptionFile] = "this file",
            },
            ["usage"] = "state = torch.load('model.pt', weights_only=True); vocab = json.load(open('vocab.json')); a row's ids come from vocab.fields; state[table][global_id - table.globalIdOffset] is its embedding row. The dense tensors follow the module tree of the STEM.Recommenders model named above (names are PyTorch's dotted module paths); TorchRec: one EmbeddingBagConfig per table (num_embeddings = rows, embedding_dim = width) loaded from the table tensors.",
            ["tensors"] = new JsonArray(tensors.Select(t => (JsonNode?)new JsonObject
            {
                ["name"] = t.Name,
                ["shape"] = new JsonArray(t.Shape.Select(d => (JsonNode?)d).ToArray()),
                ["dtype"] = t.DType,
                ["role"] = t.Role,
            }).ToArray()),
        };
    }
}

/// <summary>One tensor of an export.</summary>
/// <param name="Name">Its state-dict name (PyTorch's dotted module path).</param>
/// <param name="Shape">Its shape.</param>
/// <param name="DType">Its element type as PyTorch names it (float32, ...).</param>
/// <param name="Role">What it is: an embedding table, a dense weight, or a buffer.</param>
public sealed record ExportedTensor(string Name, IReadOnlyList<long> Shape, string DType, string Role);
