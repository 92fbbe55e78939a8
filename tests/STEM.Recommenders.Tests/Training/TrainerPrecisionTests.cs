using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>
/// <see cref="Precision.Auto"/> in training: the trainer calibrates before the first step, sets
/// every MLP stack of the model to the choice, reports it, and then trains exactly as a model built
/// with that precision would.
/// </summary>
public class TrainerPrecisionTests
{
    private static StemNet Model(EncodedSplits data, Precision precision)
    {
        manual_seed(31);
        return new StemNet(data.Pipeline.Layout, data.Pipeline.TaskNames, new StemNetOptions
        {
            EmbeddingDim = 4, ExpertUnits = [16, 8], GateUnits = [8], TowerUnits = [8], SharedExperts = 2,
            BatchNorm = true, Dropout = 0.1, Precision = precision,
        });
    }

    private static readonly TrainerOptions Options = new()
    {
        Epochs = 2,
        BatchSize = 64,
        MaxSteps = 12,
        EvaluateEverySteps = 6,
        Optimizer = new OptimizerOptions { LearningRate = 3e-3 },
    };

    [Fact]
    public void Auto_trains_bit_identically_to_the_precision_it_chose()
    {
        using var data = SyntheticSplits.Create(rows: 600);
        using var auto = Model(data, Precision.Auto);

        var result = new Trainer(Options).Fit(auto, data.Train, data.Validation);

        var calibration = result.PrecisionCalibration;
        calibration.Should().NotBeNull();
        calibration!.Module.Should().Be("experts", "the expert pool is the model's largest MLP stack");
        calibration.Float32Ms.Should().BeGreaterThan(0);
        calibration.BFloat16Ms.Should().BeGreaterThan(0);
        calibration.Chosen.Should().Be(CalibrationTiming.FasterPrecision(calibration.Float32Ms, calibration.BFloat16Ms, StackedMlp.BFloat16Margin));
        var stacks = auto.modules().OfType<StackedMlp>().ToArray();
        stacks.Length.Should().Be(3, "experts, gates and towers are one stack each");
        stacks.Should().OnlyContain(m => m.ComputePrecision == calibration.Chosen);

        using var fixedModel = Model(data, calibration.Chosen);
        var expected = new Trainer(Options).Fit(fixedModel, data.Train, data.Validation);

        expected.PrecisionCalibration.Should().BeNull("a fixed precision is not calibrated");
        result.History.Select(h => h.MonitorValue).Should().Equal(expected.History.Select(h => h.MonitorValue));
        var reference = fixedModel.state_dict();
        foreach (var (key, tensor) in auto.state_dict())
        {
            tensor.allclose(reference[key], rtol: 0, atol: 0).Should().BeTrue($"{key}: the calibration leaves no trace in gradients, statistics or random draws");
        }
    }

    [Fact]
    public void An_undefined_precision_is_refused_naming_the_option()
    {
        var act = () => new StemNetOptions { Precision = (Precision)7 }.Validate();

        act.Should().Throw<ArgumentException>().WithMessage("StemNetOptions.Precision must be Float32, BFloat16 or Auto.*");
    }
}
