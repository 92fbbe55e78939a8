using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// Tunes an experiment over its <see cref="ExperimentConfig.Search"/> space: the data is loaded and
/// encoded once, each trial trains the base experiment with its overrides, and the winner is chosen
/// on the validation split only (the trials never evaluate the test split; <c>stem compare
/// --tuned</c> tests the winner once). The directory is resumable: tuning.json is rewritten after
/// every trial, and a rerun skips the trials it already holds (by their override set), so raising
/// the budget trains only the new ones.
/// </summary>
public sealed class ExperimentTuner
{
    /// <summary>The state and results: <see cref="TuningReport"/> as JSON.</summary>
    public const string StateFile = "tuning.json";

    /// <summary>The results as a Markdown table.</summary>
    public const string ResultsFile = "tuning.md";

    /// <summary>The winner as a complete experiment file.</summary>
    public const string BestFile = "best.experiment.json";

    private readonly ExperimentRunner _runner;

    /// <summary>Creates a tuner.</summary>
    /// <param name="runner">Runs the trials; a default runner (CSV/TSV readers) when not given.</param>
    public ExperimentTuner(ExperimentRunner? runner = null) => _runner = runner ?? new ExperimentRunner();

    /// <summary>
    /// Runs the trials that <paramref name="directory"/> does not hold yet, then writes tuning.json,
    /// tuning.md and best.experiment.json there.
    /// </summary>
    /// <param name="config">The base experiment with its search section.</param>
    /// <param name="directory">The tuning directory (created; resumed when it holds tuning.json).</param>
    /// <param name="progress">Training progress; <see cref="ExperimentProgress.Run"/> is the trial number.</param>
    /// <param name="cancellationToken">Stops between steps; finished trials stay in the directory.</param>
    /// <exception cref="ExperimentConfigException">No search section, a bad search, or a directory that belongs to another dataset or experiment (the message names tuning.json).</exception>
    public async Task<TuningReport> TuneAsync(ExperimentConfig config, string directory, IProgress<ExperimentProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(directory);
        ExperimentConfigLoader.Validate(config);
        var search = config.Search ?? throw new ExperimentConfigException("configuration", "$.search", "is required to tune: give a search space, e.g. \"search\": {\"space\": {\"training.optimizer.learningRate\": [0.001, 0.0005]}}");
        var monitorText = search.Monitor ?? config.Training.Monitor;
        IReadOnlyList<IReadOnlyList<KeyValuePair<string, JsonElement>>> sequence;
        try
        {
            sequence = SearchSpace.Enumerate(search);
        }
        catch (ArgumentException e)
        {
            throw new ExperimentConfigException("configuration", "$.search", e.Message.Split(" (Parameter")[0], e);
        }

        var trials = sequence.Select(overrides => ExperimentOverrides.Apply(config, overrides, "configuration", p => $"$.search.space['{p}']")).ToArray();
        var baseJson = Fingerprint(config);
        var done = new Dictionary<string, TuningTrial>(StringComparer.Ordinal);
        if (Previous(config, directory) is { } previous)
        {
            foreach (var trial in previous.Trials.Concat(previous.Earlier ?? []))
            {
                done[trial.Key] = trial with { Reused = true };
            }
        }

        Directory.CreateDirectory(directory);
        return await Task.Factory.StartNew(
            () => Run(config, search, monitorText, sequence, trials, baseJson, done, directory, progress, cancellationToken),
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default).Unwrap().ConfigureAwait(false);
    }

    private async Task<TuningReport> Run(ExperimentConfig config, SearchConfig search, string monitorText, IReadOnlyList<IReadOnlyList<KeyValuePair<string, JsonElement>>> sequence, ExperimentConfig[] trials, JsonObject baseJson, Dictionary<string, TuningTrial> done, string directory, IProgress<ExperimentProgress>? progress, CancellationToken cancellationToken)
    {
        var finished = new List<TuningTrial>();
        MonitorMetric? monitor = RunSectionsValidation.TaskNames(config.Data) is { } known ? ParseMonitor(monitorText, known) : null;
        PreparedRuns? prepared = null;
        try
        {
            for (var i = 0; i < trials.Length; i++)
            {
                var key = ExperimentOverrides.Key(sequence[i]);
                if (done.TryGetValue(key, out var earlier))
                {
                    finished.Add(earlier with { Number = i + 1 });
                    continue;
                }

                var trial = trials[i];
                // Trials share the data as long as they do not override it (data.* paths vary slowest in the grid).
                var dataKey = ExperimentOverrides.ToJson(trial)["data"]!.ToJsonString();
                if (prepared?.Key != dataKey)
                {
                    prepared?.Dispose();
                    prepared = null;
                    var (device, data) = await _runner.PrepareForRunsAsync(trial, cancellationToken).ConfigureAwait(false);
                    prepared = new PreparedRuns(dataKey, device, data);
                }

                monitor ??= ParseMonitor(monitorText, prepared.Data.Pipeline.TaskNames);
                // Checkpoints of one trial would be resumed by the next; a trial keeps its best weights in memory.
                var training = trial.Training with { CheckpointDirectory = null, ResumeFrom = null };
                var model = ModelCatalog.NameOf(trial.Model);
                var report = _runner.RunPrepared(trial with { Training = training }, Label(model, sequence[i]), training.Seed, prepared.Data, prepared.Device, i + 1, trials.Length, evaluateTest: false, predictTest: false, progress, cancellationToken).Report;
                var result = new TuningTrial
                {
                    Number = i + 1,
                    Key = key,
                    Overrides = sequence[i].ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal),
                    Model = model,
                    Seed = report.Seed,
                    Validation = report.Validation,
                    Score = monitor.Value(report.Validation),
                    BestEpoch = report.BestEpoch,
                    Steps = report.Steps,
                    TrainingTime = report.TrainingTime,
                    Parameters = report.Parameters,
                };
                finished.Add(result);
                done[key] = result;
                // After every trial, so that an interrupted search resumes where it stopped.
                await WriteAsync(Report(baseJson, search, monitorText, monitor, finished, done, null), directory, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            prepared?.Dispose();
        }

        // Every trial came from the directory: the task names are those its metrics name.
        monitor ??= ParseMonitor(monitorText, finished[0].Validation.Tasks.Select(t => t.Task).ToArray());
        finished = finished.Select(t => t with { Score = monitor.Value(t.Validation) }).ToList();
        var ranked = Report(baseJson, search, monitorText, monitor, finished, done, null).Ranked();
        var best = ranked.FirstOrDefault(t => !double.IsNaN(t.Score))
            ?? throw new InvalidOperationException($"No trial has a defined validation {monitorText} (every value is NaN: a task without positives or negatives in the validation split?).");
        var final = Report(baseJson, search, monitorText, monitor, finished, done, best.Number);
        await WriteAsync(final, directory, cancellationToken).ConfigureAwait(false);
        await WriteBestAsync(trials[best.Number - 1], best, monitorText, directory, cancellationToken).ConfigureAwait(false);
        return final;
    }

    /// <summary>The report of the current sequence; trials of an earlier, larger search are kept for a later rerun.</summary>
    private static TuningReport Report(JsonObject baseJson, SearchConfig search, string monitorText, MonitorMetric monitor, List<TuningTrial> finished, Dictionary<string, TuningTrial> done, int? best)
    {
        var current = finished.Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
        return new TuningReport
        {
            Experiment = (JsonObject)baseJson.DeepClone(),
            Search = search,
            Monitor = monitorText,
            HigherIsBetter = monitor.HigherIsBetter,
            Trials = [.. finished],
            Earlier = [.. done.Values.Where(t => !current.Contains(t.Key)).Select(t => t with { Reused = false })],
            Best = best,
        };
    }

    /// <summary>
    /// Writes tuning.json and tuning.md. The one place the tuner writes its report; the pictures of
    /// the trials come from the Reporting package (<c>ReportWriter.Write(TuningReport, …)</c>), which
    /// this core library does not reference.
    /// </summary>
    private static async Task WriteAsync(TuningReport report, string directory, CancellationToken cancellationToken)
    {
        await WriteAtomicAsync(Path.Combine(directory, StateFile), Evaluation.Reports.ReportJson.Serialize(report), cancellationToken).ConfigureAwait(false);
        await WriteAtomicAsync(Path.Combine(directory, ResultsFile), report.ToMarkdown(), cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteBestAsync(ExperimentConfig winner, TuningTrial best, string monitor, string directory, CancellationToken cancellationToken)
    {
        var json = JsonSerializer.Serialize(ExperimentOverrides.ToJson(winner), ExperimentConfigLoader.JsonOptions);
        var header = string.Create(
            CultureInfo.InvariantCulture,
            $"// The winner of stem tune in this directory: trial {best.Number}, validation {monitor} {best.Score:F4}, overrides {best.Key}.\n// Test it once with: stem compare --config {Path.Combine(directory, BestFile)} --tuned {directory} --seeds 3\n");
        await WriteAtomicAsync(Path.Combine(directory, BestFile), header + json + "\n", cancellationToken).ConfigureAwait(false);
    }

    private static async Task WriteAtomicAsync(string path, string text, CancellationToken cancellationToken)
    {
        // A crash while writing leaves the previous file, never half of one: the state must stay readable to resume.
        var temporary = path + ".tmp";
        await File.WriteAllTextAsync(temporary, text, cancellationToken).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The state that <paramref name="directory"/> holds for this experiment, or null when it holds
    /// none; call it to check a directory before anything is loaded.
    /// </summary>
    /// <exception cref="ExperimentConfigException">The directory belongs to another dataset or base experiment, or its tuning.json is unreadable; the message names the file.</exception>
    public static TuningReport? Previous(ExperimentConfig config, string directory)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(directory);
        var statePath = Path.Combine(directory, StateFile);
        if (!File.Exists(statePath))
        {
            return null;
        }

        var previous = TuningReport.Read(statePath);
        CheckSameExperiment(previous.Experiment, Fingerprint(config), statePath);
        return previous;
    }

    /// <summary>The parts of the experiment that a resumed directory must share: everything but the runtime (the machine) and the search.</summary>
    internal static JsonObject Fingerprint(ExperimentConfig config)
    {
        var json = ExperimentOverrides.ToJson(config);
        json.Remove("runtime");
        return json;
    }

    /// <summary>Refuses a directory of another dataset or experiment, naming its tuning.json.</summary>
    internal static void CheckSameExperiment(JsonObject previous, JsonObject current, string statePath)
    {
        if (!JsonNode.DeepEquals(previous["data"], current["data"]))
        {
            throw new ExperimentConfigException(statePath, "$.experiment.data", $"this directory was tuned on another dataset ({Difference(previous["data"], current["data"])}); give another --output, or delete the directory to start over");
        }

        foreach (var section in new[] { "model", "training", "weighting" })
        {
            if (!JsonNode.DeepEquals(previous[section], current[section]))
            {
                throw new ExperimentConfigException(statePath, $"$.experiment.{section}", $"this directory was tuned from another base experiment (its {section} section differs); give another --output, or delete the directory to start over");
            }
        }
    }

    /// <summary>"data.rows 600, not 700": the settings in which two data sections differ.</summary>
    internal static string Difference(JsonNode? tuned, JsonNode? current)
    {
        var a = tuned as JsonObject ?? [];
        var b = current as JsonObject ?? [];
        var keys = a.Select(p => p.Key).Union(b.Select(p => p.Key)).Where(k => !JsonNode.DeepEquals(a[k], b[k]));
        return string.Join("; ", keys.Select(k => $"data.{k} {a[k]?.ToJsonString() ?? "not set"}, not {b[k]?.ToJsonString() ?? "not set"}"));
    }

    private static MonitorMetric ParseMonitor(string text, IReadOnlyList<string> tasks)
    {
        try
        {
            return MonitorMetric.Parse(text, tasks);
        }
        catch (ArgumentException e)
        {
            throw new ExperimentConfigException("configuration", "$.search.monitor", e.Message.Split(" (Parameter")[0], e);
        }
    }

    /// <summary>"stem-net learningRate=0.001 sharedExperts=4": the progress label of a trial.</summary>
    private static string Label(string model, IReadOnlyList<KeyValuePair<string, JsonElement>> overrides) =>
        string.Join(' ', overrides.Select(p => $"{ExperimentOverrides.Segments(p.Key)[^1]}={p.Value.GetRawText()}").Prepend(model));

    /// <summary>The data of the trials that share it, and the runtime's device.</summary>
    private sealed record PreparedRuns(string Key, Device Device, ExperimentRunner.PreparedData Data) : IDisposable
    {
        public void Dispose() => Data.Dispose();
    }
}
