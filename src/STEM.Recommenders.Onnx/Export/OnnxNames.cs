namespace STEM.Recommenders.Onnx;

/// <summary>The names an exported model uses: its files, its id inputs, its output and its metadata keys.</summary>
public static class OnnxNames
{
    /// <summary>The model file.</summary>
    public const string ModelFile = "model.onnx";

    /// <summary>The fitted pipeline beside an id-input model (FeaturePipeline JSON: vocabularies, scalers, boundaries, layout).</summary>
    public const string PipelineFile = "pipeline.json";

    /// <summary>int64 [batch, slots] global ids (id-input models).</summary>
    public const string Ids = "ids";

    /// <summary>float [batch, slots] slot weights (id-input models whose pipeline has weighted slots).</summary>
    public const string Weights = "weights";

    /// <summary>float [batch, tasks] probabilities, tasks in the order of <see cref="TasksKey"/>.</summary>
    public const string Probabilities = "probabilities";

    /// <summary>Metadata: the version of STEM.Recommenders that exported the model.</summary>
    public const string LibraryVersionKey = "stem.library_version";

    /// <summary>Metadata: the model's catalog name.</summary>
    public const string ModelKey = "stem.model";

    /// <summary>Metadata: the task names, a JSON array.</summary>
    public const string TasksKey = "stem.tasks";

    /// <summary>Metadata: the raw columns the model reads, a JSON array.</summary>
    public const string InputColumnsKey = "stem.input_columns";

    /// <summary>Metadata: the SHA-256 of the fitted pipeline's JSON (FeaturePipeline.ContentHash).</summary>
    public const string PipelineHashKey = "stem.pipeline_hash";

    /// <summary>Metadata: "raw" (the pipeline is in the graph) or "ids" (the caller encodes; see <see cref="PipelineFile"/>).</summary>
    public const string InputsKey = "stem.inputs";

    /// <summary>Metadata: the raw inputs, a JSON array of {column, kind ("value" | "values"), maxLength, separator, numeric, log2Scale}.</summary>
    public const string RawInputsKey = "stem.raw_inputs";

    /// <summary>Metadata: why the pipeline is not in the graph (id-input models), a JSON array of reasons.</summary>
    public const string NotInGraphKey = "stem.not_in_graph";

    /// <summary>Metadata: the ONNX export format version.</summary>
    public const string FormatVersionKey = "stem.onnx_format_version";
}
