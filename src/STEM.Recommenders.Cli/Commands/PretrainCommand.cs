using System.CommandLine;
using STEM.Recommenders.Cli.Infrastructure;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Cli.Commands;

/// <summary><c>stem pretrain</c>: CLUE contrastive pretraining of a user encoder; writes the encoder artifact and pretraining.json.</summary>
internal static class PretrainCommand
{
    public static Command Create(StemApp app)
    {
        var data = new ClueDataOptions();
        var output = new Option<string?>("--output", "-o") { Description = "Output directory: encoder/ (the artifact) and pretraining.json. Default runs/TIMESTAMP-clue.", HelpName = "DIR" };
        var width = OptionParsers.Int("--width", "Encoder width d (default 64).", 2);
        var layers = OptionParsers.Int("--layers", "Sequence Transformer layers (default 2; 0 = mean of item vectors).", 0);
        var heads = OptionParsers.Int("--heads", "Attention heads (default 4; must divide --width).", 1);
        var feedForward = OptionParsers.Int("--feed-forward", "Feed-forward width (default 256).", 1);
        var outputDim = OptionParsers.Int("--output-dim", "User vector width (default 64).", 1);
        var itemEncoder = new Option<string?>("--item-encoder") { Description = "How an item's tokens become one vector: mean (default) or transformer.", HelpName = "mean|transformer" };
        var maxLength = OptionParsers.Int("--max-length", "Items per view, the most recent kept (default 32).", 1);
        var minEvents = OptionParsers.Int("--min-events", "Users need at least this many events in each view (default 2).", 1);
        var epochs = OptionParsers.Int("--epochs", "Maximum epochs (default 20).", 1);
        var batch = OptionParsers.Int("--batch-size", "User pairs per batch (default 128).", 2);
        var evalBatch = OptionParsers.Int("--eval-batch-size", "Users per held-out evaluation batch, fixed because InfoNCE depends on it (default 128).", 2);
        var lr = OptionParsers.Double("--lr", "Adam learning rate (default 1e-3).", 0, 1, exclusiveMinimum: true);
        var maxSteps = OptionParsers.Long("--max-steps", "Stop after this many steps (smoke runs, compute budgets).");
        var dropout = OptionParsers.Double("--dropout", "Dropout in the encoder (default 0.1).", 0, 1, exclusiveMinimum: false);
        var temperature = OptionParsers.Double("--temperature", "Initial (or, with --fixed-temperature, fixed) temperature of the contrastive loss (default 0.07).", 0, 100, exclusiveMinimum: true);
        var fixedTemperature = new Option<bool>("--fixed-temperature") { Description = "Keep the temperature fixed instead of learning it." };
        var noActions = new Option<bool>("--no-action-tokens") { Description = "Describe events by their item attributes only, without the action tokens (is_click=1, ...): vectors then carry no labels of the days they were computed from." };
        var views = new Option<string?>("--views")
        {
            Description = "Two views of a user: service (kuairand: tab 1 against the other tabs; synthetic: main against other), time:VALUE (events before VALUE against the rest, e.g. time:20220428 on the date column), or random (a seeded half of the events each). Default service.",
            HelpName = "service|time:VALUE|random",
        };
        var minTokenCount = OptionParsers.Int("--min-token-count", "Tokens seen fewer times among the training users map to OOV (default 2).", 1);
        var command = new Command("pretrain", "CLUE: pretrain a user encoder contrastively (two views of each user, the other users in the batch as negatives); write the encoder artifact.");
        data.AddTo(command);
        foreach (var option in new Option[] { width, layers, heads, feedForward, outputDim, itemEncoder, dropout, maxLength, minEvents, minTokenCount, views, noActions, temperature, fixedTemperature, epochs, batch, evalBatch, lr, maxSteps, output })
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var session = app.Open(parse);
            var defaults = new ClueEncoderOptions();
            var kind = parse.GetValue(itemEncoder) switch
            {
                null or "mean" => ItemEncoderKind.Mean,
                "transformer" => ItemEncoderKind.Transformer,
                var other => throw new CliUsageException(itemEncoder.Name, $"'{other}' is not mean or transformer"),
            };
            var encoder = defaults with
            {
                Width = parse.GetValue(width) ?? defaults.Width,
                Layers = parse.GetValue(layers) ?? defaults.Layers,
                Heads = parse.GetValue(heads) ?? defaults.Heads,
                FeedForward = parse.GetValue(feedForward) ?? defaults.FeedForward,
                OutputDim = parse.GetValue(outputDim) ?? defaults.OutputDim,
                Dropout = parse.GetValue(dropout) ?? defaults.Dropout,
                ItemEncoder = kind,
            };
            var lossDefaults = new ContrastiveLossOptions();
            var loss = lossDefaults with
            {
                Temperature = parse.GetValue(temperature) ?? lossDefaults.Temperature,
                LearnableTemperature = !parse.GetValue(fixedTemperature),
            };
            var trainingDefaults = new PretrainingOptions();
            var directory = parse.GetValue(output) ?? ExperimentOptions.DefaultOutput("clue");
            var training = trainingDefaults with
            {
                Epochs = parse.GetValue(epochs) ?? trainingDefaults.Epochs,
                BatchSize = parse.GetValue(batch) ?? trainingDefaults.BatchSize,
                EvaluationBatchSize = parse.GetValue(evalBatch) ?? trainingDefaults.EvaluationBatchSize,
                LearningRate = parse.GetValue(lr) ?? trainingDefaults.LearningRate,
                MaxSteps = parse.GetValue(maxSteps),
                Seed = session.Seed ?? trainingDefaults.Seed,
                CheckpointDirectory = Path.Combine(directory, "checkpoints"),
            };
            encoder.Validate();
            loss.Validate();
            training.Validate();
            session.StartRuntime();
            var (events, sequences, description) = await data.LoadAsync(parse, session, cancellationToken);
            sequences = sequences with
            {
                MaxLength = parse.GetValue(maxLength) ?? sequences.MaxLength,
                MinEventsPerView = parse.GetValue(minEvents) ?? sequences.MinEventsPerView,
                MinTokenCount = parse.GetValue(minTokenCount) ?? sequences.MinTokenCount,
                Views = ParseViews(parse.GetValue(views), sequences.Views, session.Seed ?? 2023, views.Name),
                Tokens = parse.GetValue(noActions) ? sequences.Tokens.Where(t => t.Kind != TokenFieldKind.Label).ToArray() : sequences.Tokens,
            };
            encoder = encoder with { MaxLength = Math.Max(encoder.MaxLength, sequences.MaxLength) };
            using var splits = ClueData.Prepare(events, sequences);
            session.Info($"Pretraining a CLUE encoder on {description}: {splits.Train.Count:N0} training, {splits.Validation.Count:N0} validation, {splits.Test.Count:N0} test users with two views; {splits.Vocabulary.Count:N0} tokens; output in {directory}");
            var progress = new Progress<PretrainingProgress>(p =>
            {
                if (p.Validation is { } v)
                {
                    session.Info($"epoch {p.Epoch}/{p.Epochs} step {p.GlobalStep}: held-out InfoNCE {v.Loss:F4} (chance {v.ChanceLoss:F4}), top-1 {v.Top1:P1}, top-10 {v.Top10:P1}, temperature {p.Temperature:F4}, {p.PairsPerSecond:N0} pairs/s");
                }
            });
            var result = await Task.Factory.StartNew(() => CluePretraining.Run(splits, encoder, loss, training, progress, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            using var artifact = result.Artifact;
            var encoderPath = Path.Combine(directory, "encoder");
            await artifact.SaveAsync(encoderPath, cancellationToken);
            var summary = new PretrainSummary(
                "pretrain",
                encoderPath,
                description,
                splits.Train.Statistics,
                splits.Validation.Statistics,
                splits.Test.Statistics,
                splits.Vocabulary.Count,
                artifact.Encoder.ParameterCounts.Total,
                artifact.Encoder.NonEmbeddingParameterCount,
                result.TrainingFlops,
                result.Training.GlobalSteps,
                result.Training.PairsPerSecond,
                result.Training.Elapsed.TotalSeconds,
                result.Training.Best?.Validation,
                result.Test,
                result.Training.History);
            await File.WriteAllTextAsync(Path.Combine(directory, "pretraining.json"), System.Text.Json.JsonSerializer.Serialize(summary, Evaluation.Reports.ReportJson.Options), cancellationToken);
            if (session.ShowResults)
            {
                var best = result.Training.Best?.Validation;
                session.Result($"CLUE encoder: {summary.Parameters:N0} parameters ({summary.NonEmbeddingParameters:N0} non-embedding), {summary.Steps:N0} steps, {summary.PairsPerSecond:N0} pairs/s, {summary.TrainingFlops:E2} training FLOPs");
                if (best is not null)
                {
                    session.Result($"Validation: InfoNCE {best.Loss:F4} at batch {best.BatchSize} (chance {best.ChanceLoss:F4}), top-1 {best.Top1:P1}, top-10 {best.Top10:P1}");
                }

                session.Result($"Test:       InfoNCE {result.Test.Loss:F4} at batch {result.Test.BatchSize} (chance {result.Test.ChanceLoss:F4}), top-1 {result.Test.Top1:P1}, top-10 {result.Test.Top10:P1}");
                session.Result($"Encoder:    {encoderPath}");
            }

            await session.WriteJsonAsync(summary, cancellationToken);
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>Parses --views: service keeps the data source's own service split; time:VALUE splits the date column at VALUE.</summary>
    internal static ViewStrategy ParseViews(string? text, ViewStrategy serviceDefault, long seed, string option)
    {
        if (text is null or "service")
        {
            return serviceDefault;
        }

        if (text == "random")
        {
            return new RandomViews { Seed = seed };
        }

        if (text.StartsWith("time:", StringComparison.Ordinal)
            && double.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var split)
            && double.IsFinite(split))
        {
            return new TimeViews { Column = "date", SplitValue = split };
        }

        throw new CliUsageException(option, $"'{text}' is not service, random or time:VALUE (e.g. time:20220428)");
    }

    /// <summary>pretraining.json and the --json document of <c>stem pretrain</c>.</summary>
    internal sealed record PretrainSummary(
        string Command,
        string Encoder,
        string Data,
        ViewStatistics TrainUsers,
        ViewStatistics ValidationUsers,
        ViewStatistics TestUsers,
        long Tokens,
        long Parameters,
        long NonEmbeddingParameters,
        double TrainingFlops,
        long Steps,
        double PairsPerSecond,
        double Seconds,
        PretextMetrics? Validation,
        PretextMetrics Test,
        IReadOnlyList<PretrainingEvaluation> History);
}
