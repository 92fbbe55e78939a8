using STEM.Recommenders.Evaluation.Reports;
using static STEM.Recommenders.Reporting.Tests.SampleReports;

namespace STEM.Recommenders.Reporting.Tests;

public sealed class ReportChartsTests
{
    [Fact]
    public void A_training_run_has_one_picture_of_each_kind_and_a_reliability_diagram_per_task()
    {
        var charts = ReportCharts.For(Run("stem-net", 7, 0.02));

        charts.Select(c => c.Name).Should().Equal("validation-auc", "loss", "test-auc", "gate-mass", "calibration-click", "calibration-like");
        charts.Select(c => c.Kind).Should().Equal(ChartKind.Lines, ChartKind.Lines, ChartKind.Bars, ChartKind.Heatmap, ChartKind.Reliability, ChartKind.Reliability);
    }

    [Fact]
    public void The_validation_auc_curve_of_a_run_has_one_series_per_task_with_the_history_values_by_epoch()
    {
        var chart = ReportCharts.ValidationAuc(new ComparisonReport([Run("stem-net", 7, 0.02)])).Single();

        chart.XLabel.Should().Be("epoch");
        chart.Series.Select(s => s.Name).Should().Equal("click", "like");
        for (var task = 0; task < 2; task++)
        {
            chart.Series[task].X.Should().Equal(1.0, 2.0, 3.0);
            chart.Series[task].Y.Should().Equal(ValidationAuc(0.02, task, 1), ValidationAuc(0.02, task, 2), ValidationAuc(0.02, task, 3));
            chart.Series[task].Colour.Should().Be(task);
        }
    }

    [Fact]
    public void The_loss_curve_pairs_each_tasks_training_loss_with_its_dashed_validation_loss_in_one_colour()
    {
        var chart = ReportCharts.Loss(new ComparisonReport([Run("mmoe", 7, 0.0)])).Single();

        chart.Series.Select(s => (s.Name, s.Colour, s.Secondary)).Should().Equal(
            ("click train", 0, false), ("click validation", 0, true), ("like train", 1, false), ("like validation", 1, true));
        chart.Series[2].Y.Should().Equal(TrainLoss(0, 1, 1), TrainLoss(0, 1, 2), TrainLoss(0, 1, 3));
        chart.Series[3].Y.Should().Equal(ValidationLogLoss(0, 1, 1), ValidationLogLoss(0, 1, 2), ValidationLogLoss(0, 1, 3));
    }

    [Fact]
    public void A_comparison_draws_one_curve_chart_per_task_with_one_series_per_model_from_its_first_seed()
    {
        var report = Comparison();

        var auc = ReportCharts.ValidationAuc(report);
        var loss = ReportCharts.Loss(report);

        auc.Select(c => c.Name).Should().Equal("validation-auc-click", "validation-auc-like");
        auc[1].Series.Select(s => s.Name).Should().Equal("stem-net", "single-task");
        auc[1].Series[0].Y.Should().Equal(ValidationAuc(0.02, 1, 1), ValidationAuc(0.02, 1, 2), ValidationAuc(0.02, 1, 3));
        auc[1].Series[1].Y.Should().Equal(ValidationAuc(0.0, 1, 1), ValidationAuc(0.0, 1, 2), ValidationAuc(0.0, 1, 3));
        loss.Select(c => c.Name).Should().Equal("loss-click", "loss-like");
        loss[0].Series.Select(s => s.Name).Should().Equal("stem-net train", "stem-net validation", "single-task train", "single-task validation");
    }

    [Fact]
    public void With_several_evaluations_per_epoch_the_curves_are_drawn_by_step()
    {
        var chart = ReportCharts.ValidationAuc(new ComparisonReport([Run("stem-net", 7, 0.0, epochs: 2, evaluationsPerEpoch: 2)])).Single();

        chart.XLabel.Should().Be("training step");
        chart.Series[0].X.Should().Equal(10.0, 20.0, 30.0, 40.0);
        chart.Series[0].Y.Should().Equal(ValidationAuc(0, 0, 1), ValidationAuc(0, 0, 2), ValidationAuc(0, 0, 3), ValidationAuc(0, 0, 4));
    }

    [Fact]
    public void Test_auc_bars_are_the_mean_over_seeds_and_the_error_bars_their_standard_deviation()
    {
        var chart = ReportCharts.TestAuc(Comparison());

        chart.Categories.Should().Equal("click", "like");
        chart.Title.Should().Contain("2 seeds");
        chart.Series.Select(s => s.Name).Should().Equal("stem-net", "single-task");
        var stem = chart.Series[0];
        stem.X.Should().Equal(0.0, 1.0);
        // Test AUC of click: 0.68 + 0.02 and 0.68 + 0.04; of like 0.04 higher.
        stem.Y[0].Should().BeApproximately(0.71, 1e-12);
        stem.Y[1].Should().BeApproximately(0.75, 1e-12);
        var std = Math.Sqrt((Math.Pow(0.70 - 0.71, 2) + Math.Pow(0.72 - 0.71, 2)) / 1);
        stem.Errors!.Should().HaveCount(2);
        stem.Errors![0].Should().BeApproximately(std, 1e-12);
        stem.Errors![1].Should().BeApproximately(std, 1e-12);
        chart.Series[1].Errors![0].Should().BeApproximately(Math.Sqrt(2 * Math.Pow(0.005, 2)), 1e-12);
    }

    [Fact]
    public void Negative_transfer_bars_have_one_series_per_model_and_one_category_per_feedback_group()
    {
        var analysis = NegativeTransfer();

        var click = ReportCharts.NegativeTransfer(analysis, "click");
        var like = ReportCharts.NegativeTransfer(analysis, "like");

        click.Name.Should().Be("negative-transfer-click-vs-like-click");
        click.Categories.Should().Equal("comparable (500 rows)", "click-dominant (300 rows)");
        click.Series.Select(s => s.Name).Should().Equal("stem-net", "single-task (baseline)");
        click.Series[0].Y.Should().Equal(0.71, 0.66);
        click.Series[1].Y.Should().Equal(0.70, 0.67);
        like.Series[0].Y.Should().Equal(0.75, 0.73);
        like.Series[1].Y.Should().Equal(0.76, 0.72);
        FluentActions.Invoking(() => ReportCharts.NegativeTransfer(analysis, "share")).Should().Throw<ArgumentException>().WithMessage("*'click' and 'like', not 'share'*");
    }

    [Fact]
    public void The_gate_mass_heatmap_has_a_row_per_gated_model_and_task_holding_its_mean_masses_over_seeds()
    {
        var chart = ReportCharts.GateMass(Comparison())!;

        var cells = chart.Heatmap!;
        cells.Rows.Should().Equal("stem-net: click", "stem-net: like");
        cells.Columns.Should().Equal("own experts", "other tasks' experts", "shared experts");
        // Seeds with shift 0.02 and 0.04: the means are at shift 0.03.
        cells.Values[0].Should().Equal([0.53, 0.2, 0.27], (a, b) => Math.Abs(a - b) < 1e-12);
        cells.Values[1].Should().Equal([0.6, 0.13, 0.27], (a, b) => Math.Abs(a - b) < 1e-12);
        ReportCharts.GateMass(new ComparisonReport([Run("single-task", 1, 0, gated: false)])).Should().BeNull();
    }

    [Fact]
    public void A_reliability_diagram_has_each_models_bins_summing_to_the_rows_and_the_diagonal()
    {
        var charts = ReportCharts.Calibration(Comparison());

        charts.Select(c => c.Name).Should().Equal("calibration-click", "calibration-like");
        var click = charts[0];
        click.Series.Select(s => s.Name[..s.Name.IndexOf(' ', StringComparison.Ordinal)]).Should().Equal("stem-net", "single-task", "perfect");
        var stem = Run("stem-net", 1, 0.02).Calibration[0];
        click.Series[0].Name.Should().Be($"stem-net (ECE {stem.ExpectedCalibrationError:0.0000})");
        click.Series[0].X.Should().Equal(stem.Bins.Select(b => b.MeanPredicted));
        click.Series[0].Y.Should().Equal(stem.Bins.Select(b => b.ObservedRate));
        click.Series[0].Counts!.Sum().Should().Be(1000);
        var diagonal = click.Series[^1];
        diagonal.Secondary.Should().BeTrue();
        diagonal.X.Should().Equal(diagonal.Y);
        diagonal.X[0].Should().Be(0);
        diagonal.X[1].Should().BeGreaterThanOrEqualTo(click.Series.Take(2).SelectMany(s => s.X.Concat(s.Y)).Max());
    }

    [Fact]
    public void A_report_without_history_or_calibration_has_no_curves_or_reliability_diagrams()
    {
        var old = Run("mmoe", 1, 0) with { History = [], Calibration = [] };

        ReportCharts.For(old).Select(c => c.Name).Should().Equal("test-auc", "gate-mass");
    }

    [Theory]
    [InlineData("is_click", "is-click")]
    [InlineData("Long View!", "long-view")]
    [InlineData("???", "task")]
    public void Task_names_become_safe_file_names(string task, string slug)
    {
        ReportCharts.Slug(task).Should().Be(slug);
    }
}
