using STEM.Recommenders.Pretraining;
using STEM.Recommenders.Scaling;
using STEM.Recommenders.Tests.Pretraining;

namespace STEM.Recommenders.Tests.Scaling;

/// <summary>A tiny scaling study, run once for all the tests of this class.</summary>
public sealed class TinyScalingStudy : IDisposable
{
    public TinyScalingStudy()
    {
        var events = ClueTestData.Log(users: 300);
        using (var splits = ClueData.Prepare(events, ClueTestData.Sequences with { MaxLength = 8 }))
        {
            TrainUsers = splits.Train.Count;
        }

        // The last compute-grid budget is one epoch of the base batch: the data run on all users takes the same steps.
        EpochSteps = TrainUsers / 16;
        Options = new ScalingStudyOptions
        {
            Seeds = [1],
            EvaluationBatchSize = 8,
            BaseEncoder = ClueTestData.TinyEncoder(),
            BaseBatchSize = 16,
            BaseSequenceLength = 8,
            LearningRate = 1e-2,
            Steps = [2, 5, EpochSteps],
            Widths = [8, 16],
            ParameterSteps = 3,
            BatchSizes = [8, 16],
            BatchWidths = [8, 16],
            BatchEpochs = 1,
            SequenceLengths = [4, 8],
            SequenceSteps = 3,
            UserFractions = [0.25, 0.5, 1.0],
            SyntheticUsers = [20, 40, 80],
            DataEpochs = 1,
        };
        var reports = new List<ScalingRun>();
        Runs = new ScalingStudy(Options).Run(events, ClueTestData.Sequences, "real", new SyntheticUserLogOptions { Items = 100, Topics = 5, TopicsPerUser = 1 }, new InlineProgress<ScalingRun>(reports.Add));
        Reported = reports;
        Outcome = ScalingStudyReport.Write(Runs, Directory, "tiny study");
    }

    public int TrainUsers { get; }

    public int EpochSteps { get; }

    public ScalingStudyOptions Options { get; }

    public IReadOnlyList<ScalingRun> Runs { get; }

    public IReadOnlyList<ScalingRun> Reported { get; }

    public string Directory { get; } = TestPaths.TempDirectory();

    public ScalingStudyOutcome Outcome { get; }

    public ScalingRun[] Of(string axis, string series = "real") => Runs.Where(r => r.Axis == axis && r.Series == series).ToArray();

    public void Dispose() => TestPaths.Delete(Directory);
}

public sealed class ScalingStudyTests(TinyScalingStudy study) : IClassFixture<TinyScalingStudy>
{
    [Fact]
    public void Every_grid_has_its_runs_each_reported_once()
    {
        study.Of("compute").Should().HaveCount(3);
        study.Of("parameters").Should().HaveCount(2);
        study.Of("batch").Should().HaveCount(4);
        study.Of("data").Should().HaveCount(3);
        study.Of("sequence").Should().HaveCount(2);
        study.Of("data", "synthetic").Should().HaveCount(3);
        study.Runs.Should().HaveCount(17);
        study.Reported.Should().Equal(study.Runs);
        study.Runs.Select(r => r.Name).Distinct().Should().HaveCount(17);
        study.Runs.Should().OnlyContain(r => r.Seed == 1 && double.IsFinite(r.Loss) && r.Loss > 0 && r.Top1 >= 0 && r.Top10 >= r.Top1 && r.Top10 <= 1 && r.Compute > 0 && r.Tokens > 0 && r.WallSeconds > 0);
    }

    [Fact]
    public void Compute_grows_strictly_with_the_steps_of_the_compute_grid()
    {
        var runs = study.Of("compute");
        runs.Select(r => r.Steps).Should().Equal(2L, 5L, study.EpochSteps);
        runs.Select(r => r.Compute).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        runs.Select(r => r.Tokens).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        runs.Should().OnlyContain(r => r.Width == 8 && r.BatchSize == 16 && r.SequenceLength == 8 && r.TrainingUsers == study.TrainUsers);
        runs.Select(r => r.Parameters).Distinct().Should().ContainSingle();
    }

    [Fact]
    public void The_parameter_grid_varies_the_width_at_a_fixed_budget()
    {
        var runs = study.Of("parameters");
        runs.Select(r => r.Width).Should().Equal(8, 16);
        runs.Should().OnlyContain(r => r.Steps == 3 && r.BatchSize == 16);
        runs[1].NonEmbeddingParameters.Should().BeGreaterThan(runs[0].NonEmbeddingParameters);
        runs[1].Parameters.Should().BeGreaterThan(runs[1].NonEmbeddingParameters);
    }

    [Fact]
    public void The_batch_grid_trains_for_equal_epochs()
    {
        var runs = study.Of("batch");
        runs.Select(r => (r.Width, r.BatchSize)).Should().Equal((8, 8), (8, 16), (16, 8), (16, 16));
        runs.Select(r => r.Steps).Should().Equal((long)(study.TrainUsers / 8), study.TrainUsers / 16, study.TrainUsers / 8, study.TrainUsers / 16);
    }

    [Fact]
    public void A_batch_grid_of_one_model_size_still_gets_a_report()
    {
        var runs = study.Runs.Where(r => !(r.Axis == "batch" && r.Width == 16)).ToList();
        var directory = Path.Combine(study.Directory, "one-width");

        var outcome = ScalingStudyReport.Write(runs, directory);

        File.Exists(outcome.ReportPath).Should().BeTrue();
        File.Exists(outcome.RunsPath).Should().BeTrue();
        outcome.BatchModel.Should().BeNull();
    }

    [Fact]
    public void The_sequence_grid_varies_the_sequence_length()
    {
        study.Of("sequence").Select(r => r.SequenceLength).Should().Equal(4, 8);
        study.Of("sequence").Should().OnlyContain(r => r.Steps == 3);
    }

    [Fact]
    public void Data_sizes_grow_and_are_scored_on_the_same_held_out_users()
    {
        var runs = study.Of("data");
        runs.Select(r => r.TrainingUsers).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        runs[^1].TrainingUsers.Should().Be(study.TrainUsers);
        runs.Select(r => r.TrainingUsers).Should().Equal((long)Math.Round(0.25 * study.TrainUsers), (long)Math.Round(0.5 * study.TrainUsers), study.TrainUsers);

        // All users for one epoch is the compute grid's last run: same users, steps, seed and held-out users, so the same loss.
        var all = runs[^1];
        var compute = study.Of("compute")[^1];
        all.Steps.Should().Be(compute.Steps);
        all.Loss.Should().Be(compute.Loss);
        all.Compute.Should().Be(compute.Compute);
    }

    [Fact]
    public void The_synthetic_series_grows_its_generated_users()
    {
        var runs = study.Of("data", "synthetic");
        runs.Select(r => r.TrainingUsers).Should().BeInAscendingOrder().And.OnlyHaveUniqueItems();
        runs.Take(2).Select(r => r.TrainingUsers).Should().Equal(20L, 40L);
        runs[^1].TrainingUsers.Should().BeLessThanOrEqualTo(80);
        runs.Should().OnlyContain(r => r.Name.StartsWith("synthetic/data/", StringComparison.Ordinal));
    }

    [Fact]
    public void The_report_writes_markdown_runs_and_every_plot_it_lists()
    {
        var outcome = study.Outcome;
        outcome.ReportPath.Should().Be(Path.Combine(study.Directory, "report.md"));
        outcome.RunsPath.Should().Be(Path.Combine(study.Directory, "runs.json"));
        var markdown = File.ReadAllText(outcome.ReportPath);
        markdown.Should().Contain("tiny study");

        var loaded = ScalingRuns.Load(outcome.RunsPath);
        loaded.Should().HaveCount(study.Runs.Count);
        loaded.Select(r => r.Name).Should().Equal(study.Runs.Select(r => r.Name));
        loaded.Select(r => r.Loss).Should().Equal(study.Runs.Select(r => r.Loss));

        outcome.Plots.Select(p => p.Name).Should().Contain(["loss-vs-data-real", "loss-vs-data-synthetic", "loss-vs-parameters", "loss-vs-batch", "loss-vs-sequence-length"]);
        outcome.Plots.Should().HaveCount(6);
        foreach (var plot in outcome.Plots)
        {
            File.Exists(plot.PngPath).Should().BeTrue(plot.PngPath);
            File.Exists(plot.SvgPath).Should().BeTrue(plot.SvgPath);
            File.ReadAllBytes(plot.PngPath).Take(4).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
            File.ReadAllText(plot.SvgPath).Should().Contain("<svg");
            markdown.Should().Contain(Path.GetFileName(plot.PngPath));
        }

        outcome.Fits.Select(f => f.Label).Should().Contain(l => l.StartsWith("loss vs compute", StringComparison.Ordinal));
        outcome.Fits.Select(f => f.Label).Should().Contain(l => l.StartsWith("loss vs training users (synthetic", StringComparison.Ordinal));
        outcome.BatchModel.Should().NotBeNull();
    }

    public static TheoryData<string, ScalingStudyOptions> InvalidOptions => new()
    {
        { "Seeds", new ScalingStudyOptions { Seeds = [] } },
        { "EvaluationBatchSize", new ScalingStudyOptions { EvaluationBatchSize = 1 } },
        { "BaseBatchSize", new ScalingStudyOptions { BaseBatchSize = 1 } },
        { "BaseSequenceLength", new ScalingStudyOptions { BaseSequenceLength = 65 } },
        { "LearningRate", new ScalingStudyOptions { LearningRate = -1 } },
        { "Steps", new ScalingStudyOptions { Steps = [10, 0] } },
        { "Widths", new ScalingStudyOptions { Widths = [1] } },
        { "ParameterSteps", new ScalingStudyOptions { ParameterSteps = 0 } },
        { "BatchSizes", new ScalingStudyOptions { BatchSizes = [1] } },
        { "BatchWidths", new ScalingStudyOptions { BatchWidths = [2048] } },
        { "BatchEpochs", new ScalingStudyOptions { BatchEpochs = 0 } },
        { "SequenceLengths", new ScalingStudyOptions { SequenceLengths = [0] } },
        { "SequenceSteps", new ScalingStudyOptions { SequenceSteps = 0 } },
        { "UserFractions", new ScalingStudyOptions { UserFractions = [1.5] } },
        { "SyntheticUsers", new ScalingStudyOptions { SyntheticUsers = [5] } },
        { "DataEpochs", new ScalingStudyOptions { DataEpochs = 0 } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_name_the_option(string option, ScalingStudyOptions options)
    {
        var act = () => new ScalingStudy(options);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == option)
            .Which.Message.Should().StartWith($"ScalingStudyOptions.{option} ");
    }

    [Fact]
    public void An_invalid_base_encoder_names_the_encoder_option()
    {
        var act = () => new ScalingStudy(new ScalingStudyOptions { BaseEncoder = ClueTestData.TinyEncoder() with { Heads = 3 } });
        act.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("ClueEncoderOptions.Heads");
    }

    [Fact]
    public void An_evaluation_batch_larger_than_the_held_out_users_names_the_option()
    {
        var act = () => new ScalingStudy(study.Options with { EvaluationBatchSize = 500 }).Run(ClueTestData.Log(users: 300), ClueTestData.Sequences);
        act.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("ScalingStudyOptions.EvaluationBatchSize (500) is larger than the");
    }

    [Fact]
    public void Width_scaling_keeps_the_base_encoder_and_derives_the_rest()
    {
        var encoder = study.Options.EncoderOfWidth(64);
        encoder.Should().Be(study.Options.BaseEncoder with { Width = 64, FeedForward = 128, OutputDim = 64, Heads = 4 });
        study.Options.EncoderOfWidth(8).Heads.Should().Be(1);
    }
}
