using System.Text.Json;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Evaluation.Reports;

namespace STEM.Recommenders.Tests.Evaluation;

public class ModelRunReportJsonTests
{
    private static ModelRunReport Report()
    {
        var calibration = new ReliabilityAccumulator(["click"]);
        calibration.Add(0, 0.2f, 0);
        calibration.Add(0, 0.6f, 1);
        return new ModelRunReport
        {
            Model = "mmoe",
            Seed = 3,
            Tasks = ["click"],
            Validation = new EvaluationReport([new TaskMetrics("click", 10, 3, 0.7, double.NaN, 0.5, 1.1)]),
            Test = new EvaluationReport([new TaskMetrics("click", 10, 4, 0.68, 0.6, 0.52, 0.9)]),
            BestEpoch = 2,
            History =
            [
                new TrainingHistoryEntry(1, 5, new Dictionary<string, double> { ["click"] = 0.61 }, new Dictionary<string, double> { ["click"] = 0.66 }, new Dictionary<string, double> { ["click"] = 0.58 }, 1e-3),
                new TrainingHistoryEntry(2, 10, new Dictionary<string, double> { ["click"] = 0.55 }, new Dictionary<string, double> { ["click"] = 0.70 }, new Dictionary<string, double> { ["click"] = 0.50 }, 5e-4),
            ],
            Calibration = calibration.Compute(),
        };
    }

    [Fact]
    public void The_history_and_calibration_survive_a_json_round_trip()
    {
        var json = ReportJson.Serialize(Report());

        var back = JsonSerializer.Deserialize<ModelRunReport>(json, ReportJson.Options)!;

        back.History.Select(h => (h.Epoch, h.Step, h.TrainLoss["click"], h.ValidationAuc["click"], h.ValidationLogLoss["click"], h.LearningRate))
            .Should().Equal((1, 5L, 0.61, 0.66, 0.58, 1e-3), (2, 10L, 0.55, 0.70, 0.50, 5e-4));
        back.Calibration.Single().Bins.Select(b => b.Count).Should().Equal(1, 1);
        ReportJson.Serialize(back).Should().Be(json);
        json.Should().Contain("\"validationAuc\": {").And.Contain("\"expectedCalibrationError\":");
    }

    [Fact]
    public void A_metrics_json_written_before_the_history_was_kept_still_loads_with_empty_lists()
    {
        using var document = JsonDocument.Parse(ReportJson.Serialize(Report()));
        var old = document.RootElement.EnumerateObject().Where(p => p.Name is not ("history" or "calibration")).ToDictionary(p => p.Name, p => p.Value);

        var back = JsonSerializer.Deserialize<ModelRunReport>(JsonSerializer.Serialize(old), ReportJson.Options)!;

        back.Model.Should().Be("mmoe");
        back.History.Should().BeEmpty();
        back.Calibration.Should().BeEmpty();
    }
}
