using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>
/// <see cref="TrainerOptions.ExpertExecution"/>: the trainer sets every expert pool before the
/// first step, a separate execution trains to the batched weights up to rounding, and a calibration
/// keeps the faster execution and reports both timings.
/// </summary>
public class TrainerExpertExecutionTests
{
    private static StemNet Model(EncodedSplits data, bool batchNorm = false)
    {
        manual_seed(23);
        return new StemNet(data.Pipeline.Layout, data.Pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [16, 8], GateUnits = [8], TowerUnits = [8], SharedExperts = 2, BatchNorm = batchNorm });
    }

    private static TrainerOptions Options(ExpertExecutionPolicy policy) => new()
    {
        Epochs = 10,
        BatchSize = 64,
        MaxSteps = 40,
        Patience = 10,
        EvaluateEverySteps = 20,
        Optimizer = new OptimizerOptions { LearningRate = 3e-3 },
        ExpertExecution = policy,
    };

    [Fact]
    public void Separate_execution_trains_to_the_batched_weights_up_to_rounding()
    {
        using var data = SyntheticSplits.Create(rows: 800);
        using var batched = Model(data);
        using var separate = Model(data);

        var expected = new Trainer(Options(ExpertExecutionPolicy.Batched)).Fit(batched, data.Train, data.Validation);
        var actual = new Trainer(Options(ExpertExecutionPolicy.Separate)).Fit(separate, data.Train, data.Validation);

        separate.modules().OfType<ExpertPool>().Should().NotBeEmpty().And.OnlyContain(p => p.Execution == ExpertExecution.Separate);
        batched.modules().OfType<ExpertPool>().Should().OnlyContain(p => p.Execution == ExpertExecution.Batched);
        actual.ExpertCalibrations.Should().BeEmpty();
        actual.GlobalSteps.Should().Be(expected.GlobalSteps).And.Be(40);
        actual.History.Select(h => h.MonitorValue).Should().Equal(expected.History.Select(h => h.MonitorValue), (a, e) => Math.Abs(a - e) < 1e-4);
        var reference = batched.state_dict();
        foreach (var (key, tensor) in separate.state_dict())
        {
            // Both fuse the bias into the GEMM (baddbmm, addmm); the batched and per-expert kernels may still round differently.
            tensor.allclose(reference[key], rtol: 1e-3, atol: 1e-5).Should().BeTrue(key);
        }
    }

    [Fact]
    public void Calibrate_keeps_the_faster_execution_for_every_pool_and_reports_the_timings()
    {
        using var data = SyntheticSplits.Create(rows: 400);
        using var model = Model(data);

        var result = new Trainer(Options(ExpertExecutionPolicy.Calibrate) with { MaxSteps = 5 }).Fit(model, data.Train, data.Validation);

        var pools = model.modules().OfType<ExpertPool>().ToArray();
        result.ExpertCalibrations.Select(c => c.Pool).Should().Equal(pools.Select(p => p.GetName()));
        foreach (var (calibration, pool) in result.ExpertCalibrations.Zip(pools))
        {
            calibration.BatchedMs.Should().BeGreaterThan(0);
            calibration.SeparateMs.Should().BeGreaterThan(0);
            calibration.Chosen.Should().Be(calibration.SeparateMs < calibration.BatchedMs ? ExpertExecution.Separate : ExpertExecution.Batched);
            pool.Execution.Should().Be(calibration.Chosen);
        }
    }

    [Fact]
    public void As_built_leaves_a_pool_the_caller_set()
    {
        using var data = SyntheticSplits.Create(rows: 400);
        using var model = Model(data);
        var pool = model.modules().OfType<ExpertPool>().First();
        pool.Execution = ExpertExecution.Separate;

        new Trainer(Options(ExpertExecutionPolicy.AsBuilt) with { MaxSteps = 2 }).Fit(model, data.Train, data.Validation);

        pool.Execution.Should().Be(ExpertExecution.Separate);
    }

    [Fact]
    public void Separate_with_batch_norm_experts_is_an_error_naming_the_option_before_training()
    {
        using var data = SyntheticSplits.Create(rows: 400);
        using var model = Model(data, batchNorm: true);
        var weights = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());

        var act = () => new Trainer(Options(ExpertExecutionPolicy.Separate)).Fit(model, data.Train, data.Validation);

        act.Should().Throw<ArgumentException>().WithMessage("TrainerOptions.ExpertExecution Separate*batch norm*");
        foreach (var (key, tensor) in model.state_dict())
        {
            tensor.allclose(weights[key], rtol: 0, atol: 0).Should().BeTrue(key);
        }
    }

    [Fact]
    public void An_undefined_policy_is_refused_by_validation()
    {
        var act = () => new Trainer(new TrainerOptions { ExpertExecution = (ExpertExecutionPolicy)7 });

        act.Should().Throw<ArgumentException>().WithMessage("TrainerOptions.ExpertExecution must be*");
    }
}
