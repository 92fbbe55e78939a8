using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Serving;
using static TorchSharp.torch;

namespace STEM.Recommenders.Onnx.Serving;

/// <summary>
/// Scores raw rows with a model exported by <see cref="OnnxExporter"/>, on ONNX Runtime: the same
/// shape as the TorchSharp <c>Predictor</c> (dictionaries, typed rows, tables), with the same reading
/// of values (a missing key, <see langword="null"/> and "" are missing values; unseen values are OOV).
/// A raw-input model encodes in the graph; an id-input model is encoded here with the pipeline
/// written beside it (which needs TorchSharp's native library). Thread-safe: ONNX Runtime's
/// <see cref="InferenceSession.Run(IReadOnlyCollection{NamedOnnxValue})"/> may be called concurrently.
/// </summary>
public sealed class OnnxPredictor : IDisposable
{
    private readonly InferenceSession _session;
    private readonly OnnxModelInfo _info;
    private readonly FeaturePipeline? _pipeline;
    private readonly OnnxPredictorOptions _options;
    private readonly int _batchSize;

    /// <summary>Loads an exported model.</summary>
    /// <param name="modelPath">The model.onnx file (or the export directory holding it).</param>
    /// <param name="options">Batching, threads, execution provider.</param>
    /// <exception cref="FileNotFoundException">There is no model (or no pipeline.json beside an id-input model).</exception>
    /// <exception cref="InvalidDataException">The file is not a loadable ONNX model exported by this library, or its pipeline.json is from another pipeline.</exception>
    public OnnxPredictor(string modelPath, OnnxPredictorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(modelPath);
        _options = options ?? new OnnxPredictorOptions();
        if (_options.BatchSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "OnnxPredictorOptions.BatchSize must be at least 1 (or null: chosen by device).");
        }

        _batchSize = _options.BatchSize ?? (_options.CudaDevice is null ? OnnxPredictorOptions.CpuBatchSize : OnnxPredictorOptions.GpuBatchSize);
        ArgumentOutOfRangeException.ThrowIfNegative(_options.IntraOpThreads);
        ArgumentOutOfRangeException.ThrowIfNegative(_options.InterOpThreads);
        var path = Directory.Exists(modelPath) ? Path.Combine(modelPath, OnnxNames.ModelFile) : modelPath;
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no ONNX model there", path);
        }

        ModelPath = path;
        _session = Open(path, _options);
        try
        {
            _info = OnnxModelInfo.Read(path, _session.ModelMetadata.CustomMetadataMap);
            if (_info.Inputs == OnnxInputs.Ids)
            {
                _pipeline = Sidecar(path, _info.PipelineHash);
            }
        }
        catch
        {
            _session.Dispose();
            throw;
        }
    }

    /// <summary>The model file being served.</summary>
    public string ModelPath { get; }

    /// <summary>The model's catalog name.</summary>
    public string ModelName => _info.ModelName;

    /// <summary>The version of STEM.Recommenders that exported the model.</summary>
    public string LibraryVersion => _info.LibraryVersion;

    /// <summary>Task names, in output order.</summary>
    public IReadOnlyList<string> TaskNames => _info.TaskNames;

    /// <summary>The raw columns the model reads.</summary>
    public IReadOnlyList<string> InputColumns => _info.InputColumns;

    /// <summary>Whether the pipeline runs in the graph (<see cref="OnnxInputs.Raw"/>) or here (<see cref="OnnxInputs.Ids"/>).</summary>
    public OnnxInputs Inputs => _info.Inputs;

    /// <summary>The SHA-256 of the pipeline the model was exported with.</summary>
    public string PipelineHash => _info.PipelineHash;

    /// <summary>Scores one row: task name → probability.</summary>
    public IReadOnlyDictionary<string, double> Predict(IReadOnlyDictionary<string, string?> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return PredictBatch([row])[0];
    }

    /// <summary>Scores rows given as column → raw value (keys compared with the dictionary's own comparer, as the TorchSharp Predictor does).</summary>
    /// <exception cref="DataFormatException">A value cannot be encoded (e.g. text in a numeric column); the message names the row and column.</exception>
    /// <exception cref="ArgumentException">The request has no rows (a table of no rows, given to <see cref="PredictTable"/>, scores to an empty array).</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> PredictBatch(IReadOnlyList<IReadOnlyDictionary<string, string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ScoringRows.RequireRows(rows.Count, ModelName, nameof(rows));
        return ScoringRows.ToDictionaries(PredictTable(ScoringRows.FromDictionaries(InputColumns, rows)), TaskNames);
    }

    /// <summary>Scores typed rows: each public property whose name is an input column (ignoring case) supplies that column, formatted invariantly.</summary>
    /// <exception cref="ArgumentException">The request has no rows (a table of no rows, given to <see cref="PredictTable"/>, scores to an empty array).</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> PredictBatch<TRow>(IReadOnlyList<TRow> rows)
        where TRow : notnull
    {
        ArgumentNullException.ThrowIfNull(rows);
        ScoringRows.RequireRows(rows.Count, ModelName, nameof(rows));
        return ScoringRows.ToDictionaries(PredictTable(ScoringRows.FromObjects(InputColumns, rows)), TaskNames);
    }

    /// <summary>Scores every row of a table; returns probabilities row-major [N, T] (empty for a table of no rows).</summary>
    /// <exception cref="DataFormatException">A column is missing or a value cannot be encoded; the message names the row and column.</exception>
    /// <exception cref="InvalidDataException">The model gave a NaN or infinite score.</exception>
    public float[] PredictTable(DataTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var t = TaskNames.Count;
        var result = new float[(long)table.RowCount * t];
        foreach (var column in InputColumns)
        {
            _ = table.Column(column); // a missing column is reported before any work starts
        }

        for (var start = 0; start < table.RowCount; start += _batchSize)
        {
            var count = Math.Min(_batchSize, table.RowCount - start);
            var part = start == 0 && count == table.RowCount ? table : table.Select(Enumerable.Range(start, count).ToArray());
            var inputs = _pipeline is null ? RawInputEncoder.Encode(_info.RawInputs, part) : EncodeIds(_pipeline, part);
            using var outputs = _session.Run(inputs, [OnnxNames.Probabilities]);
            var probabilities = outputs[0].AsTensor<float>();
            if (probabilities is DenseTensor<float> dense)
            {
                dense.Buffer.Span.CopyTo(result.AsSpan(start * t, count * t));
            }
            else
            {
                probabilities.ToArray().CopyTo(result, start * t);
            }
        }

        var bad = Array.FindIndex(result, p => !float.IsFinite(p));
        if (bad >= 0)
        {
            throw new InvalidDataException($"{table.Source}: the model gave a non-finite score ({result[bad]}) for row {(bad / t) + 1}, task '{TaskNames[bad % t]}' (an input is not finite or overflows the model)");
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose() => _session.Dispose();

    private static InferenceSession Open(string path, OnnxPredictorOptions options)
    {
        using var session = new SessionOptions
        {
            IntraOpNumThreads = options.IntraOpThreads,
            InterOpNumThreads = options.InterOpThreads,
            ExecutionMode = options.InterOpThreads > 1 ? ExecutionMode.ORT_PARALLEL : ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        if (options.CudaDevice is { } device)
        {
            try
            {
                session.AppendExecutionProvider_CUDA(device);
            }
            catch (Exception e) when (e is OnnxRuntimeException or EntryPointNotFoundException or DllNotFoundException)
            {
                throw new InvalidOperationException($"The CUDA execution provider is not available ({e.Message.Split('\n')[0]}); reference Microsoft.ML.OnnxRuntime.Gpu instead of Microsoft.ML.OnnxRuntime, on a machine with CUDA", e);
            }
        }

        try
        {
            return new InferenceSession(path, session);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidDataException($"{path}: ONNX Runtime cannot load the model: {e.Message.Split('\n')[0]}", e);
        }
    }

    private static FeaturePipeline Sidecar(string modelPath, string hash)
    {
        var path = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!, OnnxNames.PipelineFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{modelPath} takes encoded ids, and its pipeline ({path}) is missing; export the model again or copy {OnnxNames.PipelineFile} beside it", path);
        }

        FeaturePipeline pipeline;
        try
        {
            pipeline = FeaturePipeline.FromJson(File.ReadAllText(path), path);
        }
        catch (DataFormatException e)
        {
            throw new InvalidDataException(e.Message, e);
        }

        if (pipeline.ContentHash != hash)
        {
            throw new InvalidDataException($"{path} is another pipeline (hash {pipeline.ContentHash[..12]}…) than the one {modelPath} was exported with ({hash[..12]}…); export the model and its pipeline together");
        }

        return pipeline;
    }

    private static List<NamedOnnxValue> EncodeIds(FeaturePipeline pipeline, DataTable table)
    {
        using var scope = NewDisposeScope();
        var batch = pipeline.EncodeFeatures(table);
        var n = table.RowCount;
        var slots = pipeline.Layout.SlotCount;
        var values = new List<NamedOnnxValue> { NamedOnnxValue.CreateFromTensor(OnnxNames.Ids, new DenseTensor<long>(batch.Ids.data<long>().ToArray(), [n, slots])) };
        if (batch.SlotWeights is { } weights)
        {
            values.Add(NamedOnnxValue.CreateFromTensor(OnnxNames.Weights, new DenseTensor<float>(weights.data<float>().ToArray(), [n, slots])));
        }

        return values;
    }
}
