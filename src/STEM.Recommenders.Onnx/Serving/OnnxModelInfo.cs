using System.Text.Json;
using STEM.Recommenders.Onnx.Pipeline;

namespace STEM.Recommenders.Onnx.Serving;

/// <summary>What an exported model's metadata says about it, checked when it is loaded.</summary>
internal sealed record OnnxModelInfo(string ModelName, string LibraryVersion, IReadOnlyList<string> TaskNames, IReadOnlyList<string> InputColumns, string PipelineHash, OnnxInputs Inputs, IReadOnlyList<RawInput> RawInputs)
{
    /// <exception cref="InvalidDataException">A key is missing or malformed, or the format version is another; the message names the file and the key.</exception>
    public static OnnxModelInfo Read(string path, IReadOnlyDictionary<string, string> metadata)
    {
        string Get(string key) => metadata.TryGetValue(key, out var value)
            ? value
            : throw new InvalidDataException($"{path}: not an ONNX model exported by STEM.Recommenders (metadata '{key}' is missing)");

        T Json<T>(string key)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(Get(key)) ?? throw new JsonException("null");
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: metadata '{key}' is malformed: {e.Message}", e);
            }
        }

        var version = Get(OnnxNames.FormatVersionKey);
        if (version != OnnxExporter.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"{path}: ONNX export format version {version} is not supported (this library reads version {OnnxExporter.FormatVersion})");
        }

        var inputs = Get(OnnxNames.InputsKey) switch
        {
            "raw" => OnnxInputs.Raw,
            "ids" => OnnxInputs.Ids,
            var other => throw new InvalidDataException($"{path}: metadata '{OnnxNames.InputsKey}' is '{other}', not 'raw' or 'ids'"),
        };
        IReadOnlyList<RawInput> raw = [];
        if (inputs == OnnxInputs.Raw)
        {
            try
            {
                raw = RawInputJson.Deserialize(Get(OnnxNames.RawInputsKey));
            }
            catch (JsonException e)
            {
                throw new InvalidDataException($"{path}: metadata '{OnnxNames.RawInputsKey}' is malformed: {e.Message}", e);
            }
        }

        return new OnnxModelInfo(Get(OnnxNames.ModelKey), Get(OnnxNames.LibraryVersionKey), Json<string[]>(OnnxNames.TasksKey), Json<string[]>(OnnxNames.InputColumnsKey), Get(OnnxNames.PipelineHashKey), inputs, raw);
    }
}
