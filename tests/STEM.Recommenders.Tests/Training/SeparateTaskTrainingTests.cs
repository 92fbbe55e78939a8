using STEM.Recommenders.Datasets;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>Single-task as the paper trains it: one model per task, each on its own metric.</summary>
public class SeparateTaskTrainingTests
{
    private static SingleTask Model(EncodedSplits data, bool separately = true)
    {
        manual_seed(31);
        return new SingleTask(data.Pipeline.Layout, data.Pipeline.TaskNames, new SingleTaskOptions { EmbeddingDim = 4, BottomUnits = [8, 6], TowerUnits = [4], TrainSeparately = separately });
    }

    private static TrainerOptions Options(string? checkpoints = null) => new()
    {
        Epochs = 3,
        BatchSize = 64,
        Patience = 5,
        CheckpointDirectory = checkpoints,
        Optimizer = new OptimizerOptions { LearningRate = 3e-3 },
    };

    private static Dictionary<string, Tensor> Weights(nn.Module module) =>
        module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone());

    private static void ShouldEqual(nn.Module module, Dictionary<string, Tensor> expected)
    {
        foreach (var (name, tensor) in module.state_dict())
        {
            tensor.allclose(expected[name], 0, 0).Should().BeTrue(name);
        }
    }

    [Fact]
    public void Each_task_is_trained_selected_and_restored_on_its_own_metric()
    {
        using var data = SyntheticSplits.Create(rows: 900);
        using var model = Model(data);
        var tasks = data.Pipeline.TaskNames;

        var result = new Trainer(Options()).Fit(model, data.Train, data.Validation);

        result.PerTask.Should().NotBeNull();
        result.PerTask!.Keys.Should().Equal(tasks);
        result.Best.Should().BeNull();
        result.History.Should().HaveCount(result.PerTask.Values.Sum(r => r.History.Count));
        result.GlobalSteps.Should().Be(tasks.Count * 3 * ((data.Train.Count + 63) / 64));
        var restored = Evaluator.Evaluate(model, data.Validation);
        foreach (var task in tasks)
        {
            var part = result.PerTask[task];
            part.History.Should().OnlyContain(h => h.Validation.Tasks.Count == 1 && h.Validation.Tasks[0].Task == task);
            part.Best!.MonitorValue.Should().Be(part.History.Max(h => h.Validation[task].Auc));
            // The combined model predicts each task with that task's best weights.
            restored[task].Auc.Should().Be(part.Best.Validation[task].Auc);
        }
    }

    [Fact]
    public void One_task_is_untouched_by_another_tasks_labels_only_when_trained_separately()
    {
        using var data = SyntheticSplits.Create(rows: 600);
        var options = Options() with { Optimizer = new OptimizerOptions { LearningRate = 3e-3, GradientClipNorm = 0.01 } };
        var flipped = new FlippedTask(data.Train, 0);

        foreach (var separately in new[] { true, false })
        {
            using var original = Model(data, separately);
            new Trainer(options).Fit(original, data.Train, data.Validation);
            using var other = Model(data, separately);
            new Trainer(options).Fit(other, flipped, data.Validation);

            // Task 1's network: equal bit for bit when each task is its own model; coupled through
            // the shared gradient clip (and schedule) when the networks train side by side.
            var expected = Weights(((SingleTask)original).TaskModel(1).TorchModule);
            var actual = other.TaskModel(1).TorchModule.state_dict();
            var equal = actual.All(kv => kv.Value.allclose(expected[kv.Key], 0, 0));
            equal.Should().Be(separately);
        }
    }

    [Fact]
    public void Checkpoints_are_kept_per_task_and_a_run_cancelled_in_the_second_task_resumes_to_the_same_weights()
    {
        using var data = SyntheticSplits.Create(rows: 600);
        var tasks = data.Pipeline.TaskNames;
        using var straight = Model(data);
        new Trainer(Options() with { Epochs = 2 }).Fit(straight, data.Train, data.Validation);

        var directory = TestPaths.TempDirectory();
        using var cancel = new CancellationTokenSource();
        using var interrupted = Model(data);
        var progress = new InlineProgress<TrainingProgress>(p =>
        {
            if (p.Task == tasks[1] && p.GlobalStep == 4)
            {
                cancel.Cancel();
            }
        });
        var act = () => new Trainer(Options(directory) with { Epochs = 2, ProgressEverySteps = 1 }).Fit(interrupted, data.Train, data.Validation, progress, cancel.Token);
        act.Should().Throw<OperationCanceledException>();
        Directory.Exists(Path.Combine(directory, tasks[0], "best")).Should().BeTrue();
        Directory.Exists(Path.Combine(directory, tasks[0], "last")).Should().BeTrue();
        Directory.Exists(Path.Combine(directory, tasks[1], "last")).Should().BeTrue();
        Directory.Exists(Path.Combine(directory, "last")).Should().BeFalse();

        using var resumed = Model(data);
        new Trainer(Options(directory) with { Epochs = 2, ResumeFrom = Path.Combine(directory, "last") }).Fit(resumed, data.Train, data.Validation);

        ShouldEqual(resumed, Weights(straight));
    }

    [Fact]
    public void Resuming_from_a_directory_without_per_task_checkpoints_names_it()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = Model(data);
        var directory = TestPaths.TempDirectory();

        var act = () => new Trainer(Options() with { ResumeFrom = Path.Combine(directory, "last") }).Fit(model, data.Train, data.Validation);

        act.Should().Throw<ArgumentException>().WithMessage($"TrainerOptions.ResumeFrom '*last': a single-task model trains one model per task, and none of {Path.Combine(directory, data.Pipeline.TaskNames[0], "last")}*exists.");
    }

    [Theory]
    [InlineData("mean_auc", "auc:b")]
    [InlineData("MEAN_LOGLOSS", "logloss:b")]
    [InlineData("mean_gauc", "gauc:b")]
    [InlineData("auc:a", "auc:b")]
    [InlineData(" logloss:b ", "logloss:b")]
    public void A_monitor_maps_to_the_same_metric_on_each_task(string monitor, string expected)
    {
        MonitorMetric.ForTask(monitor, ["a", "b"], "b").Should().Be(expected);
    }

    [Fact]
    public void A_monitor_for_an_unknown_task_is_refused()
    {
        var act = () => MonitorMetric.ForTask("auc:c", ["a", "b"], "b");

        act.Should().Throw<ArgumentException>().WithMessage("Unknown monitor 'auc:c'*");
    }

    [Fact]
    public void A_task_view_holds_one_label_column_of_the_same_rows()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        var view = new TaskView(data.Train, 1);

        view.TaskNames.Should().Equal(data.Pipeline.TaskNames[1]);
        view.RowCount.Should().Be(data.Train.Count);
        view.Role.Should().Be(DatasetRole.Train);
        using var scope = NewDisposeScope();
        using var epoch = view.StartEpoch(50, shuffle: false);
        using var full = data.Train.StartEpoch(50, shuffle: false);
        var batch = epoch.GetBatch(2);
        var all = full.GetBatch(2);
        batch.Labels.shape.Should().Equal(50, 1);
        batch.Labels.squeeze(1).allclose(all.Labels.select(1, 1), 0, 0).Should().BeTrue();
        batch.Features.Ids.to(ScalarType.Float64).allclose(all.Features.Ids.to(ScalarType.Float64), 0, 0).Should().BeTrue();
    }

    /// <summary>A split whose task <c>task</c> has its labels flipped (1 − y).</summary>
    private sealed class FlippedTask(IBatchSource source, int task) : IBatchSource
    {
        public FeatureLayout Layout => source.Layout;

        public IReadOnlyList<string> TaskNames => source.TaskNames;

        public long RowCount => source.RowCount;

        public DatasetRole Role => source.Role;

        public Device Device => source.Device;

        public IBatchEpoch StartEpoch(int batchSize, bool shuffle, Generator? generator = null) => new Epoch(source.StartEpoch(batchSize, shuffle, generator), task);

        private sealed class Epoch(IBatchEpoch inner, int task) : IBatchEpoch
        {
            public int StepCount => inner.StepCount;

            public Batch GetBatch(int index)
            {
                var batch = inner.GetBatch(index);
                var labels = batch.Labels.clone();
                labels[TensorIndex.Colon, task] = labels[TensorIndex.Colon, task].neg().add(1);
                return batch with { Labels = labels };
            }

            public void Dispose() => inner.Dispose();
        }
    }
}
