using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>
/// Host-resident tables (<see cref="TablePlacement.Host"/>) with the dense part on the model's
/// device. On this CPU-only machine both are the CPU, so these tests prove that the host path
/// (host lookup of unique rows, the copy to the batch's device, gradients brought back, the
/// row-sparse step on the host, the norm summed across devices) computes exactly what the default
/// path computes, and that moving the model leaves host tables where they are.
/// </summary>
public class HostTablePlacementTests
{
    private static IMultiTaskModel Model(string name, EncodedSplits data, TablePlacement placement) =>
        Model(name, data.Pipeline.Layout, data.Pipeline.TaskNames, placement);

    private static IMultiTaskModel Model(string name, STEM.Recommenders.EncodedData.FeatureLayout layout, IReadOnlyList<string> tasks, TablePlacement placement)
    {
        manual_seed(17);
        IMultiTaskModel model = name switch
        {
            StemNet.Name => new StemNet(layout, tasks, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [16, 8], GateUnits = [8], TowerUnits = [8], SharedExperts = 2, Dropout = 0.1 }),
            Mmoe.Name => new Mmoe(layout, tasks, new MmoeOptions { EmbeddingDim = 4, Experts = 3, ExpertUnits = [16, 8], GateUnits = [8], TowerUnits = [8], Dropout = 0.1 }),
            _ => throw new ArgumentException(name),
        };
        return model.PlaceTables(placement);
    }

    private static TrainerOptions Options(EmbeddingUpdate update, double? clip) => new()
    {
        Epochs = 100,
        BatchSize = 32,
        MaxSteps = 300,
        Patience = 100,
        EvaluateEverySteps = 100,
        Optimizer = new OptimizerOptions { LearningRate = 3e-3, EmbeddingUpdate = update, GradientClipNorm = clip, EmbeddingL2 = 1e-4 },
    };

    [Theory]
    [InlineData(StemNet.Name, EmbeddingUpdate.RowSparse, 10.0)]
    [InlineData(StemNet.Name, EmbeddingUpdate.RowSparse, 0.05)]
    [InlineData(Mmoe.Name, EmbeddingUpdate.RowSparse, 0.05)]
    [InlineData(StemNet.Name, EmbeddingUpdate.Dense, 0.05)]
    public void Host_tables_train_to_the_weights_of_device_tables_bit_for_bit(string name, EmbeddingUpdate update, double clip)
    {
        using var data = SyntheticSplits.Create(rows: 1500);
        using var onDevice = Model(name, data, TablePlacement.Device);
        using var onHost = Model(name, data, TablePlacement.Host);

        var expected = new Trainer(Options(update, clip)).Fit(onDevice, data.Train, data.Validation);
        var actual = new Trainer(Options(update, clip)).Fit(onHost, data.Train, data.Validation);

        actual.GlobalSteps.Should().Be(300);
        actual.History.Select(h => h.MonitorValue).Should().Equal(expected.History.Select(h => h.MonitorValue));
        onHost.EmbeddingBanks.Should().OnlyContain(b => b.TablePlacement == TablePlacement.Host && b.HostLookups > 0);
        onDevice.EmbeddingBanks.Should().OnlyContain(b => b.HostLookups == 0);
        var reference = onDevice.TorchModule.state_dict();
        foreach (var (key, tensor) in onHost.TorchModule.state_dict())
        {
            // Exact: the same operations on the same values, in the same order; only where they run differs.
            tensor.allclose(reference[key], 0, 0).Should().BeTrue(key);
        }
    }

    [Fact]
    public void The_row_sparse_step_of_host_tables_runs_on_the_host_with_gradients_brought_back()
    {
        using var data = SyntheticSplits.Create(rows: 600);
        using var onDevice = Model(StemNet.Name, data, TablePlacement.Device);
        using var onHost = Model(StemNet.Name, data, TablePlacement.Host);
        var options = new OptimizerOptions { GradientClipNorm = 0.05, EmbeddingL2 = 1e-4 };
        using var deviceOptimizer = new MultiTaskOptimizer(onDevice, options);
        using var hostOptimizer = new MultiTaskOptimizer(onHost, options);
        var norms = new List<(float Device, float Host)>();
        for (var step = 0; step < 20; step++)
        {
            using var scope = NewDisposeScope();
            var rows = arange(step * 16, (step * 16) + 32, dtype: ScalarType.Int64);
            var batch = data.Train.GetBatch(rows);
            norms.Add((Step(onDevice, deviceOptimizer, batch, step), Step(onHost, hostOptimizer, batch, step)));
        }

        norms.Should().OnlyContain(n => n.Device == n.Host);
        hostOptimizer.SparseEmbeddings!.GradientsToHost.Should().Be(20 * onHost.EmbeddingBanks.Sum(b => b.Tables.Count()));
        hostOptimizer.SparseEmbeddings.HostSteps.Should().Be(20 * onHost.EmbeddingBanks.Sum(b => b.Tables.Count()));
        deviceOptimizer.SparseEmbeddings!.GradientsToHost.Should().Be(0);
        deviceOptimizer.SparseEmbeddings.HostSteps.Should().Be(0);
        var bank = onHost.EmbeddingBanks[0];
        bank.BytesToDevice.Should().BeGreaterThan(0);
        bank.Tables.Should().OnlyContain(t => t.device_type == DeviceType.CPU);
        foreach (var (key, tensor) in onHost.TorchModule.state_dict())
        {
            tensor.allclose(onDevice.TorchModule.state_dict()[key], 0, 0).Should().BeTrue(key);
        }
    }

    [Fact]
    public void Moving_the_model_leaves_host_tables_on_the_host_and_moves_the_dense_part()
    {
        // The meta device holds shapes without data: it shows where each tensor would live on a GPU.
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = Model(StemNet.Name, data, TablePlacement.Host);

        model.TorchModule.to(new Device(DeviceType.META));

        model.EmbeddingBanks.SelectMany(b => b.Tables).Should().OnlyContain(t => t.device_type == DeviceType.CPU);
        model.DenseParameters().Should().OnlyContain(p => p.device_type == DeviceType.META);
        model.DenseDevice().type.Should().Be(DeviceType.META);
    }

    [Fact]
    public void A_predictor_over_host_tables_scores_what_the_default_placement_scores()
    {
        var options = new SyntheticOptions { Rows = 300, Tasks = 2, Dimensions = 6, Seed = 5, Correlation = 0.5 };
        var (table, schema) = SyntheticMultiTaskGenerator.Generate(options);
        var pipeline = STEM.Recommenders.Features.FeaturePipeline.Fit(schema, table);
        using var onDevice = STEM.Recommenders.Serving.ModelArtifact.Create(Model(StemNet.Name, pipeline.Layout, pipeline.TaskNames, TablePlacement.Device), pipeline);
        using var onHost = STEM.Recommenders.Serving.ModelArtifact.Create(Model(StemNet.Name, pipeline.Layout, pipeline.TaskNames, TablePlacement.Host), pipeline);
        using var expected = new STEM.Recommenders.Serving.Predictor(onDevice);
        using var actual = new STEM.Recommenders.Serving.Predictor(onHost);

        actual.PredictTable(table).Should().Equal(expected.PredictTable(table));
        onHost.Model.EmbeddingBanks[0].HostLookups.Should().BeGreaterThan(0);
    }

    [Fact]
    public void Host_table_steps_leave_the_number_of_live_tensors_flat()
    {
        using var data = SyntheticSplits.Create(rows: 640);
        using var model = Model(StemNet.Name, data, TablePlacement.Host);
        var counts = new Dictionary<long, long>();
        var progress = new InlineProgress<TrainingProgress>(p =>
        {
            if (p.Validation is null && p.GlobalStep % 100 == 0)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                counts[p.GlobalStep] = Tensor.TotalCount;
            }
        });
        var options = Options(EmbeddingUpdate.RowSparse, 0.05) with { MaxSteps = 700, EvaluateEverySteps = 300, ProgressEverySteps = 100 };

        new Trainer(options).Fit(model, data.Train, data.Validation, progress);

        // After the first evaluation (step 300) has allocated the best-weights copy, nothing grows.
        counts.Keys.Should().Contain([400L, 500L, 700L]);
        counts.Where(kv => kv.Key >= 400).Select(kv => kv.Value).Distinct().Should().ContainSingle();
    }

    [Fact]
    public void An_undefined_placement_is_refused()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = Model(StemNet.Name, data, TablePlacement.Device);

        var act = () => model.PlaceTables((TablePlacement)7);

        act.Should().Throw<ArgumentOutOfRangeException>().WithMessage("TablePlacement must be Device or Host*");
    }

    private static float Step(IMultiTaskModel model, MultiTaskOptimizer optimizer, STEM.Recommenders.EncodedData.Batch batch, int step)
    {
        // The same dropout masks for both models.
        manual_seed(1000 + step);
        model.TorchModule.train();
        optimizer.ZeroGrad();
        var output = model.Forward(batch.Features);
        var loss = MultiTaskLoss.PerTask(output.Logits, batch.Labels, batch.LabelMask).sum();
        loss.backward();
        return optimizer.Step().item<float>();
    }
}
