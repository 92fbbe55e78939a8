using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Pretraining;

public sealed class PretrainerTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();
    private readonly ClueDataSplits _data = ClueTestData.Splits();

    public void Dispose()
    {
        _data.Dispose();
        TestPaths.Delete(_dir);
    }

    private static PretrainingOptions Options() => new()
    {
        Epochs = 3,
        BatchSize = 32,
        EvaluationBatchSize = 16,
        LearningRate = 1e-2,
        Patience = 100,
        Seed = 11,
    };

    [Fact]
    public void The_synthetic_splits_are_large_enough_for_these_tests()
    {
        _data.Train.Count.Should().BeInRange(250, 400);
        _data.Validation.Count.Should().BeGreaterThanOrEqualTo(32);
        _data.Train.UserKeys.Intersect(_data.Validation.UserKeys).Should().BeEmpty();
    }

    [Fact]
    public void Training_lowers_the_held_out_loss_below_chance_and_retrieves_above_chance()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        var before = Pretrainer.Evaluate(encoder, loss, _data.Validation, 16);

        var result = new Pretrainer(Options() with { Epochs = 4 }).Fit(encoder, loss, _data.Train, _data.Validation);

        result.History.Should().HaveCount(4);
        result.GlobalSteps.Should().Be(4 * (_data.Train.Count / 32));
        result.PairsSeen.Should().Be(result.GlobalSteps * 32);
        result.StoppedEarly.Should().BeFalse();
        result.ReachedMaxSteps.Should().BeFalse();
        var best = result.Best!.Validation;
        best.ChanceLoss.Should().BeApproximately(Math.Log(16), 1e-12);
        best.Loss.Should().BeLessThan(before.Loss - 0.3);
        best.Loss.Should().BeLessThan(best.ChanceLoss - 0.6);
        best.Top1.Should().BeGreaterThan(3.0 / 16);
        best.Top10.Should().BeGreaterThan(best.Top1).And.BeLessThanOrEqualTo(1);
        result.History[^1].TrainLoss.Should().BeLessThan(result.History[0].TrainLoss);
        result.TokensSeen.Should().BeGreaterThan(result.ItemsSeen).And.BeGreaterThan(0);
    }

    [Fact]
    public void A_run_cut_by_max_steps_mid_epoch_and_resumed_ends_with_the_weights_of_an_uninterrupted_run()
    {
        var stepsPerEpoch = _data.Train.Count / 32;
        var options = Options() with { Epochs = 3, Patience = 1_000 };

        var (reference, referenceLoss) = ClueTestData.Build(_data);
        using var r1 = reference;
        using var r2 = referenceLoss;
        var uninterrupted = new Pretrainer(options with { CheckpointDirectory = Path.Combine(_dir, "a") }).Fit(reference, referenceLoss, _data.Train, _data.Validation);

        // Cut in the middle of the second epoch, after the first evaluation has kept best weights.
        var checkpoints = Path.Combine(_dir, "b");
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e1 = encoder;
        using var l1 = loss;
        var cut = new Pretrainer(options with { CheckpointDirectory = checkpoints, MaxSteps = stepsPerEpoch + 3 }).Fit(encoder, loss, _data.Train, _data.Validation);
        cut.ReachedMaxSteps.Should().BeTrue();
        cut.GlobalSteps.Should().Be(stepsPerEpoch + 3);
        cut.History.Should().HaveCount(1);
        File.Exists(Path.Combine(checkpoints, "last", "pretrainer.json")).Should().BeTrue();

        // A fresh process: new modules of another seed, everything from the checkpoint.
        var (resumedEncoder, resumedLoss) = ClueTestData.Build(_data, seed: 99);
        using var e2 = resumedEncoder;
        using var l2 = resumedLoss;
        var resumed = new Pretrainer(options with { CheckpointDirectory = checkpoints, ResumeFrom = Path.Combine(checkpoints, "last") }).Fit(resumedEncoder, resumedLoss, _data.Train, _data.Validation);

        resumed.GlobalSteps.Should().Be(uninterrupted.GlobalSteps);
        resumed.History.Should().HaveCount(2);
        resumed.History.Select(h => h.Validation.Loss).Should().Equal(uninterrupted.History.Skip(1).Select(h => h.Validation.Loss));
        ClueTestData.MaxDifference(reference, resumedEncoder).Should().Be(0);
        ClueTestData.MaxDifference(referenceLoss, resumedLoss).Should().Be(0);
        resumedLoss.Temperature.Should().Be(referenceLoss.Temperature);
    }

    [Fact]
    public void Dropout_is_replayed_exactly_after_a_resume()
    {
        var stepsPerEpoch = _data.Train.Count / 32;
        var options = Options() with { Epochs = 2, Patience = 1_000 };
        var tiny = ClueTestData.TinyEncoder(dropout: 0.2);

        var (reference, referenceLoss) = ClueTestData.Build(_data, encoder: tiny);
        using var r1 = reference;
        using var r2 = referenceLoss;
        new Pretrainer(options).Fit(reference, referenceLoss, _data.Train, _data.Validation);

        var checkpoints = Path.Combine(_dir, "dropout");
        var (encoder, loss) = ClueTestData.Build(_data, encoder: tiny);
        using var e1 = encoder;
        using var l1 = loss;
        new Pretrainer(options with { CheckpointDirectory = checkpoints, MaxSteps = 5 }).Fit(encoder, loss, _data.Train, _data.Validation);

        // Burn some of the global generator, as other work in the process would.
        using (var noise = rand(100))
        {
        }

        var (resumedEncoder, resumedLoss) = ClueTestData.Build(_data, seed: 3, encoder: tiny);
        using var e2 = resumedEncoder;
        using var l2 = resumedLoss;
        new Pretrainer(options with { CheckpointDirectory = checkpoints, ResumeFrom = Path.Combine(checkpoints, "last") }).Fit(resumedEncoder, resumedLoss, _data.Train, _data.Validation);

        stepsPerEpoch.Should().BeGreaterThan(5);
        ClueTestData.MaxDifference(reference, resumedEncoder).Should().Be(0);
        ClueTestData.MaxDifference(referenceLoss, resumedLoss).Should().Be(0);
    }

    [Fact]
    public void A_cancelled_run_writes_the_last_checkpoint_and_resumes_exactly()
    {
        var options = Options() with { Epochs = 2, Patience = 1_000, ProgressEverySteps = 1 };

        var (reference, referenceLoss) = ClueTestData.Build(_data);
        using var r1 = reference;
        using var r2 = referenceLoss;
        new Pretrainer(options).Fit(reference, referenceLoss, _data.Train, _data.Validation);

        var checkpoints = Path.Combine(_dir, "cancel");
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e1 = encoder;
        using var l1 = loss;
        using var cancellation = new CancellationTokenSource();
        var progress = new InlineProgress<PretrainingProgress>(p =>
        {
            if (p.GlobalStep == 4)
            {
                cancellation.Cancel();
            }
        });
        var cancel = () => new Pretrainer(options with { CheckpointDirectory = checkpoints }).Fit(encoder, loss, _data.Train, _data.Validation, progress, cancellation.Token);
        cancel.Should().Throw<OperationCanceledException>();
        File.ReadAllText(Path.Combine(checkpoints, "last", "pretrainer.json")).Should().Contain("\"GlobalStep\": 4");

        var (resumedEncoder, resumedLoss) = ClueTestData.Build(_data, seed: 5);
        using var e2 = resumedEncoder;
        using var l2 = resumedLoss;
        var resumed = new Pretrainer(options with { CheckpointDirectory = checkpoints, ResumeFrom = Path.Combine(checkpoints, "last") }).Fit(resumedEncoder, resumedLoss, _data.Train, _data.Validation);

        resumed.GlobalSteps.Should().Be(2 * (_data.Train.Count / 32));
        ClueTestData.MaxDifference(reference, resumedEncoder).Should().Be(0);
        ClueTestData.MaxDifference(referenceLoss, resumedLoss).Should().Be(0);
    }

    [Fact]
    public void Resuming_from_a_directory_that_is_not_a_checkpoint_names_the_directory()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        var missing = Path.Combine(_dir, "nothing");
        var act = () => new Pretrainer(Options() with { ResumeFrom = missing }).Fit(encoder, loss, _data.Train, _data.Validation);
        act.Should().Throw<FileNotFoundException>().Which.Message.Should().Contain(missing).And.Contain("pretrainer.json");
    }

    [Fact]
    public void Without_improvement_patience_one_stops_after_the_second_evaluation()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;

        // A learning rate of 1e-30 leaves every weight (and so the held-out loss) unchanged.
        var result = new Pretrainer(Options() with { Epochs = 10, Patience = 1, LearningRate = 1e-30 }).Fit(encoder, loss, _data.Train, _data.Validation);

        result.StoppedEarly.Should().BeTrue();
        result.History.Should().HaveCount(2);
        result.History.Select(h => h.Improved).Should().Equal(true, false);
        result.History[1].Validation.Loss.Should().Be(result.History[0].Validation.Loss);
        result.Best.Should().Be(result.History[0]);
        result.GlobalSteps.Should().Be(2 * (_data.Train.Count / 32));
    }

    [Fact]
    public void Patience_counts_evaluations_without_improvement()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;

        var result = new Pretrainer(Options() with { Epochs = 10, Patience = 3, LearningRate = 1e-30, EvaluateEverySteps = 2 }).Fit(encoder, loss, _data.Train, _data.Validation);

        result.StoppedEarly.Should().BeTrue();
        result.History.Select(h => h.GlobalStep).Should().Equal(2L, 4L, 6L, 8L);
        result.History.Select(h => h.Improved).Should().Equal(true, false, false, false);
        result.GlobalSteps.Should().Be(8);
    }

    [Fact]
    public void Restore_best_weights_loads_the_best_evaluation_and_matches_the_best_checkpoint()
    {
        // Evaluated every other step, the held-out loss of a small log wanders: the best is not the last.
        var checkpoints = Path.Combine(_dir, "best");
        var options = Options() with { Epochs = 3, EvaluateEverySteps = 2, CheckpointDirectory = checkpoints };
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;

        var result = new Pretrainer(options).Fit(encoder, loss, _data.Train, _data.Validation);

        result.History.Count.Should().BeGreaterThan(3);
        var lowest = result.History.Min(h => h.Validation.Loss);
        result.Best!.Validation.Loss.Should().Be(lowest);
        result.Best.Improved.Should().BeTrue();
        result.History[^1].Should().NotBe(result.Best, "the test needs a run whose last evaluation is not its best");
        result.History.Count(h => h.Improved).Should().Be(result.History.Select((h, i) => h.Validation.Loss < result.History.Take(i).Select(p => p.Validation.Loss).DefaultIfEmpty(double.PositiveInfinity).Min()).Count(x => x));

        Pretrainer.Evaluate(encoder, loss, _data.Validation, 16).Loss.Should().Be(result.Best.Validation.Loss);

        var (fromFile, fromFileLoss) = ClueTestData.Build(_data, seed: 1);
        using var f1 = fromFile;
        using var f2 = fromFileLoss;
        fromFile.load(Path.Combine(checkpoints, "best", "encoder.bin"));
        fromFileLoss.load(Path.Combine(checkpoints, "best", "loss.bin"));
        ClueTestData.MaxDifference(encoder, fromFile).Should().Be(0);
        ClueTestData.MaxDifference(loss, fromFileLoss).Should().Be(0);
    }

    [Fact]
    public void Without_restore_best_weights_the_last_weights_stay()
    {
        var options = Options() with { Epochs = 3, EvaluateEverySteps = 1, RestoreBestWeights = false };
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;

        var result = new Pretrainer(options).Fit(encoder, loss, _data.Train, _data.Validation);

        result.History[^1].Should().NotBe(result.Best, "the test needs a run whose last evaluation is not its best");
        Pretrainer.Evaluate(encoder, loss, _data.Validation, 16).Loss.Should().Be(result.History[^1].Validation.Loss);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(10)]
    [InlineData(7)]
    public void Evaluate_uses_whole_batches_only(int batch)
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        encoder.train();

        var metrics = Pretrainer.Evaluate(encoder, loss, _data.Validation, batch);

        metrics.Users.Should().Be(_data.Validation.Count / batch * batch);
        metrics.BatchSize.Should().Be(batch);
        metrics.ChanceLoss.Should().BeApproximately(Math.Log(batch), 1e-12);
        metrics.Top1.Should().BeInRange(0, 1);
        metrics.Top10.Should().BeInRange(metrics.Top1, 1);
        encoder.training.Should().BeTrue("Evaluate puts a training encoder back in training mode");
        loss.training.Should().BeTrue();
    }

    [Fact]
    public void Evaluate_of_one_batch_is_the_loss_of_the_encoders_vectors()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        var n = _data.Validation.Count;

        var metrics = Pretrainer.Evaluate(encoder, loss, _data.Validation, n);

        encoder.eval();
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var rows = arange(0, n, dtype: ScalarType.Int64);
        var pair = _data.Validation.Take(rows);
        var za = encoder.forward(pair.A);
        var zb = encoder.forward(pair.B);
        var expected = loss.forward(za, zb).item<float>();
        var (top1, top10) = ContrastiveLoss.RetrievalAccuracy(za, zb, 10);
        metrics.Users.Should().Be(n);
        metrics.Loss.Should().BeApproximately(expected, 1e-4);
        metrics.Top1.Should().BeApproximately(top1, 1e-9);
        metrics.Top10.Should().BeApproximately(top10, 1e-9);
    }

    [Fact]
    public void Evaluate_with_a_batch_larger_than_the_split_is_an_error()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        var n = _data.Validation.Count;

        var act = () => Pretrainer.Evaluate(encoder, loss, _data.Validation, n + 1);

        act.Should().Throw<ArgumentException>().Where(x => x.ParamName == "batchSize")
            .Which.Message.Should().Contain($"batch of {n + 1}").And.Contain($"the split has {n}");
    }

    [Fact]
    public void Fit_names_evaluation_batch_size_when_the_held_out_split_is_smaller_than_a_batch()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        var n = _data.Validation.Count;

        var act = () => new Pretrainer(Options() with { EvaluationBatchSize = n + 1 }).Fit(encoder, loss, _data.Train, _data.Validation);

        act.Should().Throw<ArgumentException>().Which.Message.Should().StartWith($"PretrainingOptions.EvaluationBatchSize ({n + 1}) is larger than the {n} held-out users");
    }

    [Fact]
    public void Fit_names_batch_size_when_the_training_split_is_smaller_than_a_batch()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        var n = _data.Train.Count;

        var act = () => new Pretrainer(Options() with { BatchSize = n + 1 }).Fit(encoder, loss, _data.Train, _data.Validation);

        act.Should().Throw<ArgumentException>().Which.Message.Should().StartWith($"PretrainingOptions.BatchSize ({n + 1}) is larger than the {n} training users");
    }

    public static TheoryData<string, PretrainingOptions> InvalidOptions => new()
    {
        { "Epochs", new PretrainingOptions { Epochs = 0 } },
        { "BatchSize", new PretrainingOptions { BatchSize = 1 } },
        { "LearningRate", new PretrainingOptions { LearningRate = 0 } },
        { "LearningRate", new PretrainingOptions { LearningRate = double.NaN } },
        { "GradientClipNorm", new PretrainingOptions { GradientClipNorm = -1 } },
        { "EvaluationBatchSize", new PretrainingOptions { EvaluationBatchSize = 1 } },
        { "Patience", new PretrainingOptions { Patience = 0 } },
        { "EvaluateEverySteps", new PretrainingOptions { EvaluateEverySteps = 0 } },
        { "MaxSteps", new PretrainingOptions { MaxSteps = 0 } },
        { "ProgressEverySteps", new PretrainingOptions { ProgressEverySteps = 0 } },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Invalid_options_name_the_option(string option, PretrainingOptions options)
    {
        var act = () => new Pretrainer(options);
        act.Should().Throw<ArgumentException>().Where(e => e.ParamName == option)
            .Which.Message.Should().StartWith($"PretrainingOptions.{option} ");
    }

    [Fact]
    public void The_default_options_are_valid()
    {
        new PretrainingOptions().Validate();
        new Pretrainer().Options.Should().Be(new PretrainingOptions());
    }

    [Fact]
    public void A_short_fit_leaves_the_number_of_live_tensors_unchanged()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        var options = Options() with { Epochs = 2, EvaluateEverySteps = 3, ProgressEverySteps = 2 };
        var reports = 0;
        var progress = new InlineProgress<PretrainingProgress>(_ => reports++);

        // The first fit allocates the gradients, which the parameters keep.
        new Pretrainer(options).Fit(encoder, loss, _data.Train, _data.Validation, progress);
        var before = LiveTensors.Settled();
        new Pretrainer(options with { CheckpointDirectory = Path.Combine(_dir, "leak") }).Fit(encoder, loss, _data.Train, _data.Validation, progress);
        Pretrainer.Evaluate(encoder, loss, _data.Validation, 16);

        Tensor.TotalCount.Should().Be(before);
        reports.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task FitAsync_reports_progress_with_the_validation_after_each_evaluation()
    {
        var (encoder, loss) = ClueTestData.Build(_data);
        using var e = encoder;
        using var l = loss;
        var stepsPerEpoch = _data.Train.Count / 32;
        var reports = new List<PretrainingProgress>();

        var result = await new Pretrainer(Options() with { Epochs = 2, ProgressEverySteps = 4 }).FitAsync(encoder, loss, _data.Train, _data.Validation, new InlineProgress<PretrainingProgress>(reports.Add));

        reports.Where(r => r.Validation is not null).Select(r => r.GlobalStep).Should().Equal(stepsPerEpoch, 2L * stepsPerEpoch);
        reports.Where(r => r.Validation is null).Select(r => r.GlobalStep).Should().OnlyContain(s => s % 4 == 0);
        reports.Should().OnlyContain(r => r.StepsPerEpoch == stepsPerEpoch && r.Epochs == 2 && r.Temperature > 0);
        reports[^1].Validation.Should().Be(result.History[^1].Validation);
        result.History.Select(h => h.Epoch).Should().Equal(1, 2);
    }
}
