using System.Globalization;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Hosting;

namespace HostedTraining;

/// <summary>
/// Runs the configured experiment once — <see cref="ExperimentRunner.TrainAsync"/> on
/// <see cref="StemOptions.ToExperiment"/> — prints the test AUC table and stops the host.
/// The trainer logs one line per epoch through the host's logging.
/// </summary>
public sealed partial class TrainingService(
    ExperimentRunner runner,
    IOptions<StemOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<TrainingService> logger) : BackgroundService
{
    /// <summary>The run's report once training has succeeded; <see langword="null"/> before, or after a failure.</summary>
    public ModelRunReport? Report { get; private set; }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Let the host finish starting before the long, compute-bound run.
        await Task.Yield();
        try
        {
            var stem = options.Value;
            var experiment = stem.ToExperiment();

            // Bundled inputs are configured relative to the app's base directory (where the build copies
            // them); ExperimentConfigLoader resolves relative paths only for experiment files, so do it here.
            // The output directory is relative to the working directory, like the CLI's.
            experiment = experiment with { Data = FromBaseDirectory(experiment.Data) };
            var output = stem.OutputDirectory is { } o ? Path.GetFullPath(o) : null;
            LogStarting(logger, stem.Model, experiment.Data.Train, experiment.Training.Epochs, output ?? "(nowhere)");

            var result = await runner.TrainAsync(experiment, output, cancellationToken: stoppingToken);
            using (result.Artifact)
            {
                Report = result.Report;
            }

            // The table is the program's result: printed as is, not as a log record.
            Console.WriteLine(Table(result.Report));
            if (output is not null && logger.IsEnabled(LogLevel.Information))
            {
                var artifact = Path.Combine(output, ExperimentRunner.ModelDirectory);
                var metrics = Path.Combine(output, "metrics.json");
                LogWritten(logger, artifact, metrics);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            LogCancelled(logger);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(logger, e, e.Message);
        }
        finally
        {
            lifetime.StopApplication();
        }
    }

    private static DataConfig FromBaseDirectory(DataConfig data)
    {
        static string? Resolve(string? path) =>
            string.IsNullOrWhiteSpace(path) || Path.IsPathRooted(path) ? path : Path.GetFullPath(path, AppContext.BaseDirectory);
        return data with { Train = Resolve(data.Train), Validation = Resolve(data.Validation), Test = Resolve(data.Test), Users = Resolve(data.Users), Videos = Resolve(data.Videos) };
    }

    private static string Table(ModelRunReport report)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"Test AUC of {report.Model} (best validation epoch {report.BestEpoch}, {report.Steps} steps, {report.TrainingTime.TotalSeconds:F1} s):");
        text.AppendLine(CultureInfo.InvariantCulture, $"  {"task",-12}{"AUC",8}{"gAUC",8}{"log loss",10}");
        foreach (var task in report.Test.Tasks)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {task.Task,-12}{task.Auc,8:F4}{task.GAuc,8:F4}{task.LogLoss,10:F4}");
        }

        text.Append(CultureInfo.InvariantCulture, $"  {"mean",-12}{report.Test.MeanAuc,8:F4}{report.Test.MeanGAuc,8:F4}{report.Test.MeanLogLoss,10:F4}");
        return text.ToString();
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Training {Model} on {Data} for up to {Epochs} epochs; output to {Output}")]
    private static partial void LogStarting(ILogger logger, string model, string? data, int epochs, string output);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Wrote the model artifact to {Artifact} and the metrics to {Metrics}")]
    private static partial void LogWritten(ILogger logger, string artifact, string metrics);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Training was cancelled")]
    private static partial void LogCancelled(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "Training failed: {Problem}")]
    private static partial void LogFailed(ILogger logger, Exception exception, string problem);
}
