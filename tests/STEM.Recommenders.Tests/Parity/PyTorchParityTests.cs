using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Parity;

/// <summary>
/// STEM-Net and MMoE against an independent PyTorch implementation (tests/parity/make_parity_fixture.py):
/// from the same weights, the logits, and one training step (sum of per-task mean BCE, L2 on the
/// embedding tables, global-norm clipping, Adam) agree to 1e-5. The fixture is committed, so these
/// tests need no Python.
/// </summary>
public sealed class PyTorchParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static ParityFixture Fixture => ParityFixture.Instance;

    public static TheoryData<string> Models => new() { StemNet.Name, Mmoe.Name };

    public static TheoryData<string, string> Steps => new()
    {
        { StemNet.Name, "no-clip" },
        { StemNet.Name, "clip" },
        { Mmoe.Name, "no-clip" },
        { Mmoe.Name, "clip" },
    };

    [Fact]
    public void The_library_layout_places_fields_and_ids_as_the_pytorch_script_does()
    {
        var layout = BuildLayout();

        layout.Fields.Select(f => (f.Name, f.Offset, f.FirstSlot))
            .Should().Equal(Fixture.Layout.Select(f => (f.Name, f.Offset, f.FirstSlot)));
        layout.SlotCount.Should().Be(Fixture.Batch.Ids[0].Count);
        Fixture.Fields.Should().Contain(f => !f.TaskSpecific, "the fixture must cover a shared-only field");
        Fixture.Fields.Should().Contain(f => f.Slots > 1, "the fixture must cover a pooled multi-valued field");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Forward_logits_match_pytorch(string modelName)
    {
        using var model = BuildModel(modelName);
        using var scope = NewDisposeScope();
        var expected = Fixture.Models[modelName];
        LoadParameters(model, expected.Parameters);

        Tensor logits;
        using (no_grad())
        {
            logits = model.Forward(Features()).Logits;
        }

        var diff = MaxAbsDiff(logits, expected.Logits);
        output.WriteLine($"{modelName}: forward logits max |C# - PyTorch| = {diff:E3}");
        diff.Should().BeLessThanOrEqualTo(Tolerance);

        // The logits must depend on the rows: a model ignoring its input could not match them all.
        var values = expected.Logits.ToTensor();
        (values - values.mean([0], keepdim: true)).abs().max().item<float>().Should().BeGreaterThan(0.1f);
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public void One_dense_adam_step_matches_pytorch(string modelName, string stepName)
    {
        using var model = BuildModel(modelName);
        using var scope = NewDisposeScope();
        var fixture = Fixture.Models[modelName];
        var step = fixture.Step(stepName);
        LoadParameters(model, fixture.Parameters);

        var (losses, norm) = TrainStep(model, step, EmbeddingUpdate.Dense);

        var report = new List<string>();
        var lossDiff = MaxAbsDiff(losses, step.TaskLosses);
        lossDiff.Should().BeLessThanOrEqualTo(Tolerance, "the per-task losses must match");
        Math.Abs(norm - step.GradNorm).Should().BeLessThanOrEqualTo(Tolerance * Math.Max(1, step.GradNorm), "the gradient norm before clipping (L2 term included) must match");
        (norm > step.MaxNorm).Should().Be(step.Clipped, "the case must take the clipping branch PyTorch took");
        report.Add($"task losses {lossDiff:E3}, grad norm {Math.Abs(norm - step.GradNorm):E3} (norm {norm:F6}, max_norm {step.MaxNorm}, clipped {step.Clipped})");

        var parameterDiff = CompareParameters(model, step.Parameters, fixture.Parameters, report);
        Tensor after;
        using (no_grad())
        {
            after = model.Forward(Features()).Logits;
        }

        var logitDiff = MaxAbsDiff(after, step.Logits);
        report.Add($"post-step logits {logitDiff:E3}");
        output.WriteLine($"{modelName} / {stepName}: max |C# - PyTorch| over parameters after the step = {parameterDiff:E3}");
        report.ForEach(output.WriteLine);

        parameterDiff.Should().BeLessThanOrEqualTo(Tolerance);
        logitDiff.Should().BeLessThanOrEqualTo(Tolerance);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Row_sparse_step_equals_the_dense_step_except_on_rows_outside_the_batch(string modelName)
    {
        using var model = BuildModel(modelName);
        using var scope = NewDisposeScope();
        var fixture = Fixture.Models[modelName];

        // Without clipping the touched rows see the same gradients as dense Adam; with clipping the
        // norms would differ (the dense norm includes L2 on untouched rows).
        var step = fixture.Step("no-clip");
        step.Clipped.Should().BeFalse();
        LoadParameters(model, fixture.Parameters);

        TrainStep(model, step, EmbeddingUpdate.RowSparse);

        var bank = model.EmbeddingBanks.Single();
        var names = model.TorchModule.named_parameters().ToDictionary(p => p.parameter.Handle, p => p.name);
        var tables = bank.Tables.Select(t => names[t.Handle]).ToHashSet();
        var touched = TouchedRows(model);
        foreach (var (name, parameter) in model.TorchModule.named_parameters())
        {
            var dense = step.Parameters[name].ToTensor();
            if (!tables.Contains(name))
            {
                MaxAbsDiff(parameter, step.Parameters[name]).Should().BeLessThanOrEqualTo(Tolerance, $"dense weight {name} is updated as before");
                continue;
            }

            var initial = fixture.Parameters[name].ToTensor();
            var rows = touched[parameter.Handle];
            var untouched = Enumerable.Range(0, (int)parameter.shape[0]).Select(r => (long)r).Except(rows).ToArray();
            untouched.Should().NotBeEmpty($"the fixture leaves some rows of {name} out of the batch");
            var inBatch = tensor(rows.ToArray());
            var outside = tensor(untouched);

            var touchedDiff = (parameter.index_select(0, inBatch) - dense.index_select(0, inBatch)).abs().max().item<float>();
            var untouchedMove = (parameter.index_select(0, outside) - initial.index_select(0, outside)).abs().max().item<float>();
            var denseMove = (dense.index_select(0, outside) - initial.index_select(0, outside)).abs().min().item<float>();
            output.WriteLine($"{modelName} row-sparse {name}: {rows.Count} rows in the batch, max |C# - PyTorch dense| = {touchedDiff:E3}; {untouched.Length} rows outside, moved {untouchedMove:E3} (dense PyTorch moved them at least {denseMove:E3})");

            touchedDiff.Should().BeLessThanOrEqualTo((float)Tolerance, $"rows of {name} in the batch get the dense update");
            untouchedMove.Should().Be(0, $"rows of {name} outside the batch must not move");
            denseMove.Should().BeGreaterThan(1e-4f, $"dense Adam moves every row of {name} (L2), so the two modes differ there");
        }

        // The rows outside the batch are not read by it, so the post-step logits are the dense ones.
        Tensor after;
        using (no_grad())
        {
            after = model.Forward(Features()).Logits;
        }

        MaxAbsDiff(after, step.Logits).Should().BeLessThanOrEqualTo(Tolerance);
    }

    private static FeatureLayout BuildLayout() =>
        new(Fixture.Fields.Select(f => (f.Name, f.Rows, f.Slots, f.TaskSpecific)));

    private static MultiTaskModel BuildModel(string name)
    {
        var layout = BuildLayout();
        var tasks = Fixture.Tasks;
        MultiTaskModel model = name switch
        {
            StemNet.Name => new StemNet(layout, tasks, new StemNetOptions
            {
                EmbeddingDim = Fixture.EmbeddingDim,
                ExpertUnits = Fixture.StemNet.ExpertUnits,
                GateUnits = Fixture.StemNet.GateUnits,
                TowerUnits = Fixture.StemNet.TowerUnits,
                SharedExperts = Fixture.StemNet.SharedExperts,
                SpecificExpertsPerTask = Fixture.StemNet.SpecificExpertsPerTask,
                Layers = Fixture.StemNet.Layers,
                Isolation = StemIsolation.Strict,
                GateInput = STEM.Recommenders.Modules.GateInput.TaskPlusShared,
            }),
            Mmoe.Name => new Mmoe(layout, tasks, new MmoeOptions
            {
                EmbeddingDim = Fixture.EmbeddingDim,
                Experts = Fixture.Mmoe.Experts,
                ExpertUnits = Fixture.Mmoe.ExpertUnits,
                GateUnits = Fixture.Mmoe.GateUnits,
                TowerUnits = Fixture.Mmoe.TowerUnits,
            }),
            _ => throw new ArgumentException(name, nameof(name)),
        };
        model.train();
        return model;
    }

    private static FeatureBatch Features() => new(Fixture.Batch.IdTensor(), Fixture.Batch.SlotWeights.ToTensor());

    /// <summary>Copies the fixture's weights in by name; the two sets of names must be equal.</summary>
    private static void LoadParameters(MultiTaskModel model, IReadOnlyDictionary<string, FixtureTensor> parameters)
    {
        var named = model.TorchModule.named_parameters().ToArray();
        named.Select(p => p.name).Should().BeEquivalentTo(parameters.Keys, "the fixture must name every C# parameter and nothing else");
        using var _ = no_grad();
        foreach (var (name, parameter) in named)
        {
            var values = parameters[name].ToTensor();
            parameter.shape.Should().Equal(values.shape, $"{name} has the C# shape");
            parameter.copy_(values);
        }
    }

    /// <summary>One step as the trainer does it: fixed (all-ones) weighting of the per-task losses, then the optimizer.</summary>
    private static (Tensor TaskLosses, double GradNorm) TrainStep(MultiTaskModel model, FixtureStep step, EmbeddingUpdate update)
    {
        using var optimizer = new MultiTaskOptimizer(model, new OptimizerOptions
        {
            LearningRate = step.LearningRate,
            EmbeddingL2 = step.EmbeddingL2,
            DenseL2 = 0,
            GradientClipNorm = step.MaxNorm,
            EmbeddingUpdate = update,
        });
        using var weighting = new FixedWeighting();
        weighting.Attach(model);
        optimizer.ZeroGrad();
        var logits = model.Forward(Features()).Logits;
        var losses = MultiTaskLoss.PerTask(logits, Fixture.Batch.Labels.ToTensor(), null);
        weighting.Backward(losses, model.AuxiliaryLoss(new MultiTaskOutput(logits), Fixture.Batch.Labels.ToTensor(), null));
        var norm = optimizer.Step().item<float>();
        optimizer.ZeroGrad();
        return (losses.detach(), norm);
    }

    /// <summary>Max |C# − PyTorch| over every parameter; also checks that the step moved each one well beyond the tolerance.</summary>
    private static double CompareParameters(MultiTaskModel model, IReadOnlyDictionary<string, FixtureTensor> expected, IReadOnlyDictionary<string, FixtureTensor> initial, List<string> report)
    {
        var max = 0.0;
        foreach (var (name, parameter) in model.TorchModule.named_parameters())
        {
            var diff = MaxAbsDiff(parameter, expected[name]);
            var moved = (expected[name].ToTensor() - initial[name].ToTensor()).abs().max().item<float>();
            moved.Should().BeGreaterThan(100 * (float)Tolerance, $"PyTorch's step must move {name}, or matching it proves nothing");
            report.Add($"  {name} [{string.Join(", ", parameter.shape)}]: {diff:E3} (step moved it up to {moved:E3})");
            max = Math.Max(max, diff);
        }

        return max;
    }

    /// <summary>The rows of each embedding table that the fixture batch looks up, from the ids and the layout.</summary>
    private static Dictionary<IntPtr, List<long>> TouchedRows(MultiTaskModel model)
    {
        var bank = model.EmbeddingBanks.Single();
        var layout = model.Layout;
        var result = bank.Tables.ToDictionary(t => t.Handle, _ => new List<long>());
        foreach (var field in layout.Fields)
        {
            var wide = bank.TaskSpecificTable is not null && field.TaskSpecific;
            var table = wide ? bank.TaskSpecificTable! : bank.SharedTable!;
            var first = wide || bank.TaskSpecificTable is null ? 0 : layout.TaskSpecificRows;
            foreach (var row in Fixture.Batch.Ids)
            {
                for (var s = field.FirstSlot; s < field.FirstSlot + field.SlotCount; s++)
                {
                    result[table.Handle].Add(row[s] - first);
                }
            }
        }

        return result.ToDictionary(p => p.Key, p => p.Value.Distinct().Order().ToList());
    }

    private static double MaxAbsDiff(Tensor actual, FixtureTensor expected)
    {
        var values = expected.ToTensor();
        actual.shape.Should().Equal(values.shape);
        return (actual.detach().to(ScalarType.Float32).cpu() - values).abs().max().item<float>();
    }
}
