using System.Text.Json.Nodes;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>Per-task model selection: each task served from the evaluation where its own metric peaked.</summary>
public class PerTaskSelectionTests
{
    private static StemNet Model(EncodedSplits data)
    {
        manual_seed(41);
        return new StemNet(data.Pipeline.Layout, data.Pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [16, 8], GateUnits = [8], TowerUnits = [8], SharedExperts = 2 });
    }

    private static TrainerOptions Options() => new()
    {
        Epochs = 6,
        BatchSize = 64,
        Patience = 6,
        PerTaskSelection = true,
        // A high rate makes the tasks peak at different epochs.
        Optimizer = new OptimizerOptions { LearningRate = 3e-2 },
    };

    [Fact]
    public void Each_task_is_predicted_by_the_snapshot_of_its_own_best_evaluation()
    {
        using var data = SyntheticSplits.Create(rows: 900, tasks: 3, seed: 8);
        using var model = Model(data);
        var snapshots = new List<Dictionary<string, Tensor>>();
        var progress = new InlineProgress<TrainingProgress>(p =>
        {
            if (p.Validation is not null)
            {
                snapshots.Add(model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope()));
            }
        });

        var result = new Trainer(Options()).Fit(model, data.Train, data.Validation, progress);
        using var selected = result.PerTaskModel!;

        var tasks = data.Pipeline.TaskNames;
        result.TaskBest!.Keys.Should().Equal(tasks);
        var bestEpochs = tasks.Select(t => result.TaskBest[t].Epoch).ToArray();
        for (var t = 0; t < tasks.Count; t++)
        {
            var task = tasks[t];
            result.TaskBest[task].Validation[task].Auc.Should().Be(result.History.Max(h => h.Validation[task].Auc), task);
        }

        selected.Members.Should().HaveCount(bestEpochs.Distinct().Count());
        bestEpochs.Distinct().Count().Should().BeGreaterThan(1, "the test needs tasks that peak at different evaluations");
        var served = Evaluator.Predict(selected, data.Test);
        using var replay = Model(data);
        var replayed = new float[tasks.Count][];
        // The largest gap between two row-major prediction matrices in task t's column.
        float MaxDifference(float[] a, float[] b, int t) =>
            Enumerable.Range(0, data.Test.Count).Max(row => Math.Abs(a[(row * tasks.Count) + t] - b[(row * tasks.Count) + t]));
        for (var t = 0; t < tasks.Count; t++)
        {
            using (no_grad())
            {
                foreach (var (name, tensor) in replay.state_dict())
                {
                    tensor.copy_(snapshots[bestEpochs[t] - 1][name]);
                }
            }

            var expected = Evaluator.Predict(replay, data.Test);
            // Equal up to float rounding: two forward passes need not sum in the same order (the
            // GEMM's thread split differs between CPUs); another evaluation's snapshot differs by
            // far more (checked below), so the tolerance cannot hide a wrong snapshot.
            MaxDifference(served, expected, t).Should().BeLessThan(1e-6f, tasks[t]);
            replayed[t] = expected;
        }

        for (var t = 0; t < tasks.Count; t++)
        {
            foreach (var other in Enumerable.Range(0, tasks.Count).Where(u => bestEpochs[u] != bestEpochs[t]))
            {
                MaxDifference(replayed[t], replayed[other], t).Should().BeGreaterThan(1e-4f, $"{tasks[t]} at epoch {bestEpochs[t]} and at epoch {bestEpochs[other]} are distinguishable");
            }
        }

        foreach (var snapshot in snapshots)
        {
            foreach (var tensor in snapshot.Values)
            {
                tensor.Dispose();
            }
        }
    }

    [Fact]
    public async Task The_per_task_model_round_trips_through_an_artifact()
    {
        using var data = SyntheticSplits.Create(rows: 600, tasks: 3, seed: 8);
        using var model = Model(data);
        var result = new Trainer(Options() with { Epochs = 4 }).Fit(model, data.Train, data.Validation);
        var selected = result.PerTaskModel!;
        var expected = Evaluator.Predict(selected, data.Test);
        var directory = TestPaths.TempDirectory();
        using (var artifact = ModelArtifact.Create(selected, data.Pipeline))
        {
            await artifact.SaveAsync(directory);
            artifact.Metadata.TaskMembers.Should().Equal(selected.TaskMembers);
        }

        using var loaded = await ModelArtifact.LoadAsync(directory);

        loaded.Model.Should().BeOfType<PerTaskSelectedModel>().Which.TaskMembers.Should().Equal(loaded.Metadata.TaskMembers!);
        loaded.Metadata.ModelName.Should().Be(StemNet.Name);
        Evaluator.Predict(loaded.Model, data.Test).Should().Equal(expected);
    }

    [Fact]
    public async Task A_task_member_map_that_does_not_fit_the_tasks_names_artifact_json()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = Model(data);
        var result = new Trainer(Options() with { Epochs = 1 }).Fit(model, data.Train, data.Validation);
        var directory = TestPaths.TempDirectory();
        using (var artifact = ModelArtifact.Create(result.PerTaskModel!, data.Pipeline))
        {
            await artifact.SaveAsync(directory);
        }

        var metadata = Path.Combine(directory, ModelArtifact.MetadataFile);
        var json = JsonNode.Parse(await File.ReadAllTextAsync(metadata))!;
        json["taskMembers"] = new JsonArray(0, 7);
        await File.WriteAllTextAsync(metadata, json.ToJsonString());

        var act = () => ModelArtifact.LoadAsync(directory);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage($"{directory}: artifact.json: taskMembers must give each of the 2 tasks a member index, numbered from 0 without gaps; got [0, 7].");
    }

    [Fact]
    public void Per_task_selection_cannot_resume()
    {
        var act = () => new Trainer(new TrainerOptions { PerTaskSelection = true, ResumeFrom = "last" });

        act.Should().Throw<ArgumentException>().WithMessage("TrainerOptions.PerTaskSelection cannot be combined with ResumeFrom*");
    }

    [Fact]
    public void Without_the_option_there_is_no_per_task_model()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = Model(data);

        var result = new Trainer(Options() with { Epochs = 1, PerTaskSelection = false }).Fit(model, data.Train, data.Validation);

        result.PerTaskModel.Should().BeNull();
        result.TaskBest.Should().BeNull();
    }
}
