using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Reporting.Tests;

public sealed class TuningChartsTests : IDisposable
{
    private static readonly double[] LearningRates = [1e-3, 1e-4];
    private static readonly int[] Experts = [1, 2, 4];
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "stem-tuning-pictures-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    /// <summary>Validation AUC of a trial's task: distinct for every (learning rate, experts, task).</summary>
    private static double Auc(int lr, int experts, int task) => 0.70 + (0.01 * lr) + (0.002 * experts) + (0.03 * task);

    /// <summary>A 2 × 3 grid over learning rate and experts of which <paramref name="skip"/> was not tried.</summary>
    private static TuningReport Report((int Lr, int Experts)? skip = null, bool lowerIsBetter = false)
    {
        var space = new Dictionary<string, IReadOnlyList<JsonElement>>
        {
            ["training.optimizer.learningRate"] = LearningRates.Select(v => JsonSerializer.SerializeToElement(v)).ToArray(),
            ["model.sharedExperts"] = Experts.Select(v => JsonSerializer.SerializeToElement(v)).ToArray(),
        };
        var trials = new List<TuningTrial>();
        for (var lr = 0; lr < LearningRates.Length; lr++)
        {
            for (var e = 0; e < Experts.Length; e++)
            {
                if (skip == (lr, e))
                {
                    continue;
                }

                var validation = new EvaluationReport([new TaskMetrics("click", 100, 40, Auc(lr, e, 0), double.NaN, 0.6, 1), new TaskMetrics("like", 100, 5, Auc(lr, e, 1), double.NaN, 0.2, 1)]);
                trials.Add(new TuningTrial
                {
                    Number = trials.Count + 1,
                    Key = $"{lr}/{e}",
                    Overrides = new Dictionary<string, JsonElement>
                    {
                        ["training.optimizer.learningRate"] = space["training.optimizer.learningRate"][lr],
                        ["model.sharedExperts"] = space["model.sharedExperts"][e],
                    },
                    Model = "stem-net",
                    Validation = validation,
                    Score = (Auc(lr, e, 0) + Auc(lr, e, 1)) / 2,
                });
            }
        }

        return new TuningReport
        {
            Experiment = new JsonObject(),
            Search = new SearchConfig { Space = space },
            Monitor = lowerIsBetter ? "mean_logloss" : "mean_auc",
            HigherIsBetter = !lowerIsBetter,
            Trials = trials,
            Best = trials.MaxBy(t => t.Score)!.Number,
        };
    }

    [Fact]
    public void The_trials_chart_ranks_the_trials_best_first_with_one_series_per_task_and_their_option_values_as_labels()
    {
        var chart = TuningCharts.Trials(Report());

        chart.Kind.Should().Be(ChartKind.Bars);
        chart.XLabel.Should().Be("sharedExperts · learningRate");
        chart.Series.Select(s => s.Name).Should().Equal("click", "like");
        // Best first: learning rate 1e-4 (index 1) with 4 experts (index 2), then with 2, 1, then 1e-3.
        chart.Categories.Should().Equal("4 · 0.0001", "2 · 0.0001", "1 · 0.0001", "4 · 0.001", "2 · 0.001", "1 · 0.001");
        chart.Series[1].X.Should().Equal(0.0, 1.0, 2.0, 3.0, 4.0, 5.0);
        chart.Series[1].Y.Should().Equal(Auc(1, 2, 1), Auc(1, 1, 1), Auc(1, 0, 1), Auc(0, 2, 1), Auc(0, 1, 1), Auc(0, 0, 1));
    }

    [Fact]
    public void The_grid_holds_each_trials_score_at_its_two_values_an_untried_cell_as_NaN_and_spans_the_scores_own_range()
    {
        var report = Report(skip: (0, 1));
        var chart = TuningCharts.Grid(report)!;

        chart.Kind.Should().Be(ChartKind.Heatmap);
        chart.YLabel.Should().Be("model.sharedExperts");
        var cells = chart.Heatmap!;
        cells.Rows.Should().Equal("1", "2", "4");
        cells.Columns.Should().Equal("0.001", "0.0001");
        for (var e = 0; e < Experts.Length; e++)
        {
            for (var lr = 0; lr < LearningRates.Length; lr++)
            {
                var expected = (lr, e) == (0, 1) ? double.NaN : (Auc(lr, e, 0) + Auc(lr, e, 1)) / 2;
                cells.Values[e][lr].Should().Be(expected, $"cell experts {Experts[e]}, learning rate {LearningRates[lr]}");
            }
        }

        var scores = report.Trials.Select(t => t.Score).ToArray();
        (cells.Low, cells.High).Should().Be((scores.Min(), scores.Max()));
    }

    [Fact]
    public void A_lower_is_better_monitor_draws_its_lowest_score_lightest()
    {
        var report = Report(lowerIsBetter: true);
        var cells = TuningCharts.Grid(report)!.Heatmap!;

        var scores = report.Trials.Select(t => t.Score).ToArray();
        (cells.Low, cells.High).Should().Be((scores.Max(), scores.Min()));
    }

    [Fact]
    public void A_one_option_search_has_no_grid_and_an_empty_report_no_pictures()
    {
        var report = Report();
        var oneOption = report with
        {
            Trials = report.Trials.Select(t => t with { Overrides = t.Overrides.Where(o => o.Key == "model.sharedExperts").ToDictionary() }).ToArray(),
        };

        TuningCharts.Grid(oneOption).Should().BeNull();
        TuningCharts.For(oneOption).Select(c => c.Name).Should().Equal("tuning-trials");
        TuningCharts.For(report with { Trials = [] }).Should().BeEmpty();
    }

    [Fact]
    public void The_tuning_report_is_written_as_pictures_and_a_page_that_embeds_them_beside_the_table()
    {
        var files = ReportWriter.Write(Report(skip: (1, 0)), _directory);

        files.Charts.Select(c => c.Chart.Name).Should().Equal("tuning-trials", "tuning-grid");
        foreach (var rendered in files.Charts)
        {
            new FileInfo(rendered.PngPath).Length.Should().BeGreaterThan(10_000, $"{rendered.Chart.Name} is a drawn picture");
            var text = string.Concat(XDocument.Load(rendered.SvgPath).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
            text.Should().Contain(rendered.Chart.Title);
        }

        var grid = string.Concat(XDocument.Load(files.Charts[1].SvgPath).Descendants().Where(e => e.Name.LocalName == "text").Select(e => e.Value));
        grid.Should().Contain("–", "the untried cell is labelled as such").And.Contain(((Auc(1, 1, 0) + Auc(1, 1, 1)) / 2).ToString("0.000", System.Globalization.CultureInfo.InvariantCulture));
        var html = File.ReadAllText(files.HtmlPath);
        html.Should().Contain("<title>Tuning: stem-net, 5 trials</title>").And.Contain("data:image/png;base64,").And.Contain("valid mean_auc");
    }
}
