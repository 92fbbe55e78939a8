using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

public class TrainerTests
{
    private static StemNet Model(EncodedSplits data, double dropout = 0.1)
    {
        manual_seed(21);
        return new StemNet(data.Pipeline.Layout, data.Pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [16, 8], GateUnits = [8], TowerUnits = [8], SharedExperts = 2, Dropout = dropout });
    }

    private static TrainerOptions Options(string? checkpoints = null) => new()
    {
        Epochs = 3,
        BatchSize = 64,
        Patience = 5,
        CheckpointDirectory = checkpoints,
        Optimizer = new OptimizerOptions { LearningRate = 3e-3 },
    };

    private static Dictionary<string, Tensor> Weights(IMultiTaskModel model) =>
        model.TorchModule.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    [Fact]
    public void Training_learns_the_synthetic_tasks()
    {
        using var data = SyntheticSplits.Create();
        using var model = Model(data);

        var result = new Trainer(Options()).Fit(model, data.Train, data.Validation);

        result.Best!.Validation.MeanAuc.Should().BeGreaterThan(0.75);
        result.History.Should().HaveCount(3);
        result.GlobalSteps.Should().Be(3 * ((data.Train.Count + 63) / 64));
    }

    [Fact]
    public void The_test_split_is_refused_as_the_monitor()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = Model(data);

        var act = () => new Trainer(Options()).Fit(model, data.Train, data.Test);

        act.Should().Throw<ArgumentException>().WithMessage("The test split cannot be used for training or as the validation monitor*");
    }

    [Fact]
    public void A_resumed_run_ends_with_the_weights_of_an_uninterrupted_run()
    {
        using var data = SyntheticSplits.Create(rows: 800);
        var stepsPerEpoch = (data.Train.Count + 63) / 64;

        using var straight = Model(data);
        var full = new Trainer(Options(TestPaths.TempDirectory())).Fit(straight, data.Train, data.Validation);

        // Interrupt in the middle of the second epoch, then resume from the "last" checkpoint.
        var directory = TestPaths.TempDirectory();
        using var interrupted = Model(data);
        var first = new Trainer(Options(directory) with { MaxSteps = stepsPerEpoch + 3 }).Fit(interrupted, data.Train, data.Validation);
        first.ReachedMaxSteps.Should().BeTrue();
        using var resumed = Model(data);
        var rest = new Trainer(Options(directory) with { ResumeFrom = Path.Combine(directory, "last") }).Fit(resumed, data.Train, data.Validation);

        rest.GlobalSteps.Should().Be(full.GlobalSteps);
        rest.Best!.MonitorValue.Should().Be(full.Best!.MonitorValue);
        var expected = Weights(straight);
        foreach (var (name, tensor) in resumed.state_dict())
        {
            tensor.allclose(expected[name], 0, 0).Should().BeTrue(name);
        }
    }

    [Fact]
    public void Cancellation_writes_a_checkpoint_that_resumes_to_the_same_weights()
    {
        using var data = SyntheticSplits.Create(rows: 600);
        using var straight = Model(data);
        new Trainer(Options() with { Epochs = 2 }).Fit(straight, data.Train, data.Validation);

        var directory = TestPaths.TempDirectory();
        using var cancel = new CancellationTokenSource();
        using var interrupted = Model(data);
        var progress = new InlineProgress<TrainingProgress>(p =>
        {
            if (p.GlobalStep == 5)
            {
                cancel.Cancel();
            }
        });
        var act = () => new Trainer(Options(directory) with { Epochs = 2, ProgressEverySteps = 1 }).Fit(interrupted, data.Train, data.Validation, progress, cancel.Token);
        act.Should().Throw<OperationCanceledException>();
        File.Exists(Path.Combine(directory, "last", "model.bin")).Should().BeTrue();

        using var resumed = Model(data);
        new Trainer(Options(directory) with { Epochs = 2, ResumeFrom = Path.Combine(directory, "last") }).Fit(resumed, data.Train, data.Validation);

        var expected = Weights(straight);
        foreach (var (name, tensor) in resumed.state_dict())
        {
            tensor.allclose(expected[name], 0, 0).Should().BeTrue(name);
        }
    }

    [Fact]
    public void Without_improvement_the_learning_rate_decays_and_training_stops_after_patience()
    {
        using var data = SyntheticSplits.Create(rows: 400);
        using var model = Model(data, dropout: 0);
        var options = Options() with
        {
            Epochs = 10,
            Patience = 2,
            MinLearningRate = 0,
            Optimizer = new OptimizerOptions { LearningRate = 1e-30, GradientClipNorm = null },
        };

        // A learning rate of 1e-30 leaves the model (and the validation AUC) unchanged.
        var result = new Trainer(options).Fit(model, data.Train, data.Validation);

        result.StoppedEarly.Should().BeTrue();
        result.History.Should().HaveCount(3);
        result.History.Select(h => h.Improved).Should().Equal(true, false, false);
        result.History.Select(h => h.LearningRate).Should().Equal(1e-30, 1e-30, 1e-31);
    }

    [Fact]
    public void Two_thousand_steps_leave_the_number_of_live_tensors_flat()
    {
        using var data = SyntheticSplits.Create(rows: 640);
        using var model = Model(data);
        var counts = new Dictionary<long, long>();
        var progress = new InlineProgress<TrainingProgress>(p =>
        {
            if (p.Validation is null && p.GlobalStep % 300 == 0)
            {
                // Tensors that earlier tests left to the finalizer must not be counted (or freed) mid-run.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                counts[p.GlobalStep] = Tensor.TotalCount;
            }
        });
        var options = Options() with { Epochs = 1000, BatchSize = 32, MaxSteps = 2000, EvaluateEverySteps = 500, Patience = 1000, ProgressEverySteps = 100 };

        new Trainer(options).Fit(model, data.Train, data.Validation, progress);

        // After the first evaluation (step 500) has allocated the best-weights copy, nothing grows.
        counts.Keys.Should().Contain([600L, 900L, 1200L, 1500L, 1800L]);
        counts.Where(kv => kv.Key >= 600).Select(kv => kv.Value).Distinct().Should().ContainSingle();
    }

    [Fact]
    public void The_report_after_an_evaluation_carries_the_losses_since_the_previous_evaluation()
    {
        using var data = SyntheticSplits.Create(rows: 640);
        using var model = Model(data);
        var stepsPerEpoch = (data.Train.Count + 63) / 64;
        var reports = new List<TrainingProgress>();

        // Progress every epoch's last step too, so a regular report resets the running sum first.
        new Trainer(Options() with { Epochs = 2, ProgressEverySteps = stepsPerEpoch }).Fit(model, data.Train, data.Validation, new InlineProgress<TrainingProgress>(reports.Add));

        reports.Where(r => r.Validation is not null).Should().HaveCount(2)
            .And.OnlyContain(r => r.TaskLosses.Values.All(l => l > 0.1));
    }

    [Fact]
    public void An_unknown_monitor_is_a_clear_error()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = Model(data);

        var act = () => new Trainer(Options() with { Monitor = "auc:conversion" }).Fit(model, data.Train, data.Validation);

        act.Should().Throw<ArgumentException>().WithMessage("Unknown monitor 'auc:conversion'*task0, task1*");
    }
}
