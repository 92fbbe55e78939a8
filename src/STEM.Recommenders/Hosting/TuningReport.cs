using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// The state and results of a tuning directory (tuning.json): the base experiment it belongs to,
/// the search, every finished trial and the winner, chosen on validation only.
/// </summary>
public sealed record TuningReport
{
    /// <summary>The file format's version.</summary>
    public int Format { get; init; } = 1;

    /// <summary>The base experiment (data, model, training, weighting) as JSON: a rerun with another one is refused.</summary>
    public required JsonObject Experiment { get; init; }

    /// <summary>The search as last run.</summary>
    public required SearchConfig Search { get; init; }

    /// <summary>The validation metric that picks the winner.</summary>
    public required string Monitor { get; init; }

    /// <summary>Whether a larger <see cref="TuningTrial.Score"/> is better.</summary>
    public bool HigherIsBetter { get; init; } = true;

    /// <summary>The finished trials of the current search, in search order.</summary>
    public required IReadOnlyList<TuningTrial> Trials { get; init; }

    /// <summary>Trials of an earlier, larger search that the current one does not include: kept so that a later rerun need not train them again.</summary>
    public IReadOnlyList<TuningTrial>? Earlier { get; init; }

    /// <summary>The winner's <see cref="TuningTrial.Number"/>, when a trial has a defined score.</summary>
    public int? Best { get; init; }

    /// <summary>A Markdown report: the trials ranked by the validation monitor, the winner first.</summary>
    public string ToMarkdown()
    {
        var text = new StringBuilder();
        var paths = OptionPaths();
        var tasks = Trials.Count == 0 ? [] : Trials[0].Validation.Tasks.Select(t => t.Task).ToArray();
        text.AppendLine(CultureInfo.InvariantCulture, $"### Tuning: {Trials.Count} trial{(Trials.Count == 1 ? string.Empty : "s")}, ranked by validation {Monitor} (the test split is not evaluated)").AppendLine();
        text.Append("| rank | trial |").AppendJoin(string.Empty, paths.Select(p => $" {p} |")).Append(CultureInfo.InvariantCulture, $" valid {Monitor} |").AppendJoin(string.Empty, tasks.Select(t => $" valid AUC {t} |")).AppendLine(" best epoch | steps | time |");
        text.Append("| ---: | ---: |").AppendJoin(string.Empty, paths.Select(_ => " --- |")).Append(" ---: |").AppendJoin(string.Empty, tasks.Select(_ => " ---: |")).AppendLine(" ---: | ---: | ---: |");
        var rank = 0;
        foreach (var trial in Ranked())
        {
            text.Append(CultureInfo.InvariantCulture, $"| {++rank} | {trial.Number}{(trial.Number == Best ? " (best)" : string.Empty)} |");
            foreach (var path in paths)
            {
                text.Append(CultureInfo.InvariantCulture, $" {(trial.Overrides.TryGetValue(path, out var value) ? value.GetRawText() : string.Empty)} |");
            }

            text.Append(CultureInfo.InvariantCulture, $" {trial.Score:F4} |");
            foreach (var task in tasks)
            {
                text.Append(CultureInfo.InvariantCulture, $" {trial.Validation[task].Auc:F4} |");
            }

            text.AppendLine(CultureInfo.InvariantCulture, $" {trial.BestEpoch} | {trial.Steps} | {trial.TrainingTime:hh\\:mm\\:ss} |");
        }

        return text.ToString();
    }

    /// <summary>The option paths the trials override, in ordinal order: the table's columns and the pictures' labels.</summary>
    public IReadOnlyList<string> OptionPaths() =>
        Trials.SelectMany(t => t.Overrides.Keys).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary>The trials best first (an undefined score last, ties in search order).</summary>
    public IReadOnlyList<TuningTrial> Ranked()
    {
        var defined = Trials.Where(t => !double.IsNaN(t.Score));
        var ordered = HigherIsBetter ? defined.OrderByDescending(t => t.Score) : defined.OrderBy(t => t.Score);
        return [.. ordered.ThenBy(t => t.Number), .. Trials.Where(t => double.IsNaN(t.Score))];
    }

    /// <summary>Reads tuning.json.</summary>
    /// <exception cref="ExperimentConfigException">The file is not a tuning state; the message names it.</exception>
    public static TuningReport Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            return JsonSerializer.Deserialize<TuningReport>(File.ReadAllText(path), Evaluation.Reports.ReportJson.Options)
                ?? throw new ExperimentConfigException(path, "$", "is empty");
        }
        catch (JsonException e)
        {
            throw new ExperimentConfigException(path, e.Path ?? "$", $"is not a tuning state written by stem tune: {e.Message.Split(" Path:")[0]}", e);
        }
    }
}
