using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Serving;

/// <summary>
/// Scores raw rows with a trained <see cref="ModelArtifact"/>: rows (dictionaries of column → raw
/// value, or typed records whose property names are column names) go through the same fitted
/// pipeline as training, unseen values map to OOV, and the model runs in inference mode.
/// Thread-safe: any number of threads may call it at once; every call releases its tensors.
/// </summary>
public sealed class Predictor : IDisposable
{
    private readonly ModelArtifact _artifact;
    private readonly PredictorOptions _options;
    private readonly string[] _columns;
    private readonly Device _device;
    private readonly int _batchSize;
    private readonly bool _ownsArtifact;

    /// <summary>Creates a predictor over a loaded artifact.</summary>
    /// <param name="artifact">The artifact (its model is switched to eval mode).</param>
    /// <param name="options">Batching.</param>
    /// <param name="ownsArtifact">Dispose the artifact with the predictor.</param>
    public Predictor(ModelArtifact artifact, PredictorOptions? options = null, bool ownsArtifact = false)
    {
        ArgumentNullException.ThrowIfNull(artifact);
        _artifact = artifact;
        _options = options ?? new PredictorOptions();
        if (_options.BatchSize is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.BatchSize, "PredictorOptions.BatchSize must be at least 1 (or null: chosen by device).");
        }

        _ownsArtifact = ownsArtifact;
        _columns = artifact.Pipeline.Schema.Features.SelectMany(f => f.SourceColumns).Distinct(StringComparer.Ordinal).ToArray();
        // Batches go where the dense part is: host-placed tables do their lookups on the host.
        _device = artifact.Model.DenseDevice();
        _batchSize = _options.BatchSize ?? (_device.type == DeviceType.CPU ? PredictorOptions.CpuBatchSize : PredictorOptions.GpuBatchSize);
        artifact.Model.TorchModule.eval();
    }

    /// <summary>Loads an artifact and creates a predictor that owns it.</summary>
    public static async Task<Predictor> LoadAsync(string path, Device? device = null, PredictorOptions? options = null, CancellationToken cancellationToken = default) =>
        new(await ModelArtifact.LoadAsync(path, device, cancellationToken).ConfigureAwait(false), options, ownsArtifact: true);

    /// <summary>Task names, in output order.</summary>
    public IReadOnlyList<string> TaskNames => _artifact.Model.TaskNames;

    /// <summary>The raw columns the model reads.</summary>
    public IReadOnlyList<string> InputColumns => _columns;

    /// <summary>Rows per inference batch: <see cref="PredictorOptions.BatchSize"/>, or the device's default.</summary>
    public int BatchSize => _batchSize;

    /// <summary>The artifact being served.</summary>
    public ModelArtifact Artifact => _artifact;

    /// <summary>Scores one row: task name → probability. Keys and values are read as <see cref="PredictBatch(IReadOnlyList{IReadOnlyDictionary{string, string}})"/> says.</summary>
    public IReadOnlyDictionary<string, double> Predict(IReadOnlyDictionary<string, string?> row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return PredictBatch([row])[0];
    }

    /// <summary>Scores rows given as column → raw value.</summary>
    /// <remarks>
    /// <para>Keys are looked up with the dictionary's own comparer: a <see cref="Dictionary{TKey, TValue}"/>
    /// built without one is ordinal and case-sensitive, so <c>"User_ID"</c> does not supply the column
    /// <c>user_id</c> (it is ignored, and the column is missing). Pass a dictionary built with
    /// <see cref="StringComparer.OrdinalIgnoreCase"/> to match as the typed overload does.</para>
    /// <para>A missing key, a <see langword="null"/> value and an empty string are all a missing value
    /// (OOV for categorical features, the missing bucket or 0 for numeric ones), as an empty CSV field
    /// is. Values are not trimmed: a number may carry surrounding spaces (<c>" 12 "</c> reads as 12),
    /// but a categorical value is the exact string (<c>" a"</c> is another value than <c>"a"</c>), and a
    /// value of spaces only in a numeric column is an error.</para>
    /// </remarks>
    /// <exception cref="DataFormatException">A value cannot be encoded (e.g. text in a numeric column).</exception>
    /// <exception cref="ArgumentException">The request has no rows (a table of no rows, given to <see cref="PredictTable"/>, scores to an empty array).</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> PredictBatch(IReadOnlyList<IReadOnlyDictionary<string, string?>> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ScoringRows.RequireRows(rows.Count, _artifact.Model.ModelName, nameof(rows));
        return ScoringRows.ToDictionaries(PredictTable(ScoringRows.FromDictionaries(_columns, rows)), TaskNames);
    }

    /// <summary>
    /// Scores typed rows: each public property whose name is an input column (compared ignoring case)
    /// supplies that column, formatted invariantly; <see langword="null"/> and empty strings are missing values.
    /// </summary>
    /// <exception cref="ArgumentException">The request has no rows (a table of no rows, given to <see cref="PredictTable"/>, scores to an empty array).</exception>
    public IReadOnlyList<IReadOnlyDictionary<string, double>> PredictBatch<TRow>(IReadOnlyList<TRow> rows)
        where TRow : notnull
    {
        ArgumentNullException.ThrowIfNull(rows);
        ScoringRows.RequireRows(rows.Count, _artifact.Model.ModelName, nameof(rows));
        return ScoringRows.ToDictionaries(PredictTable(ScoringRows.FromObjects(_columns, rows)), TaskNames);
    }

    /// <summary>Scores every row of a table; returns probabilities row-major [N, T].</summary>
    /// <exception cref="DataFormatException">A value cannot be encoded (e.g. text in a numeric column); the message names the row and column.</exception>
    /// <exception cref="InvalidDataException">The model gave a NaN or infinite score (scores are never returned silently non-finite).</exception>
    public float[] PredictTable(DataTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var t = TaskNames.Count;
        var result = new float[(long)table.RowCount * t];
        for (var start = 0; start < table.RowCount; start += _batchSize)
        {
            var count = Math.Min(_batchSize, table.RowCount - start);
            var part = start == 0 && count == table.RowCount ? table : table.Select(Enumerable.Range(start, count).ToArray());
            using var scope = NewDisposeScope();
            using var inference = inference_mode();
            var features = _artifact.Pipeline.EncodeFeatures(part, _device);
            var probabilities = _artifact.Model.Forward(features).Probabilities().to(ScalarType.Float32).cpu().contiguous();
            probabilities.data<float>().ToArray().CopyTo(result, start * t);
        }

        // A NaN score is never handed out as if it were a probability.
        var bad = Array.FindIndex(result, p => !float.IsFinite(p));
        if (bad >= 0)
        {
            throw new InvalidDataException($"{table.Source}: the model gave a non-finite score ({result[bad]}) for row {(bad / t) + 1}, task '{TaskNames[bad % t]}' (an input is not finite or overflows the model)");
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        if (_ownsArtifact)
        {
            _artifact.Dispose();
        }
    }
}
