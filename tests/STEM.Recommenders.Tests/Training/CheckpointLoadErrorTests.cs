using STEM.Recommenders.Datasets;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>Resuming reads model.bin and optimizer.bin with the same checks as an artifact's weights.</summary>
public sealed class CheckpointLoadErrorTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();
    private readonly EncodedSplits _data = SyntheticSplits.Create(rows: 300);

    public CheckpointLoadErrorTests()
    {
        using var model = Model();
        new Trainer(Options() with { MaxSteps = 3 }).Fit(model, _data.Train, _data.Validation);
    }

    public void Dispose()
    {
        _data.Dispose();
        TestPaths.Delete(_dir);
    }

    private string Last(string file) => Path.Combine(_dir, "last", file);

    private StemNet Model()
    {
        manual_seed(4);
        return new StemNet(_data.Pipeline.Layout, _data.Pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [8], GateUnits = [4], TowerUnits = [4], SharedExperts = 1 });
    }

    private TrainerOptions Options() => new() { Epochs = 1, BatchSize = 64, CheckpointDirectory = _dir };

    private string Resume()
    {
        using var model = Model();
        var act = () => new Trainer(Options() with { ResumeFrom = Path.Combine(_dir, "last") }).Fit(model, _data.Train, _data.Validation);
        return act.Should().Throw<InvalidDataException>().Which.Message;
    }

    [Fact]
    public void A_truncated_optimizer_file_names_the_file_and_the_state_it_ends_in()
    {
        var bytes = File.ReadAllBytes(Last("optimizer.bin"));
        File.WriteAllBytes(Last("optimizer.bin"), bytes[..200]);

        Resume().Should().MatchRegex($"^{System.Text.RegularExpressions.Regex.Escape(Last("optimizer.bin"))}: tensor 'first moment 0' needs \\d+ bytes but the file ends after \\d+ \\(it is truncated\\)\\.$");
    }

    [Fact]
    public void A_generator_state_claiming_a_huge_shape_is_refused_before_allocation()
    {
        var bytes = File.ReadAllBytes(Last("optimizer.bin"));

        // The last record is the global generator state: uint8 [5056] on the CPU; claim 2^40 elements.
        var tail = bytes.Length - 5056 - 4;
        bytes[tail].Should().Be((byte)ScalarType.Byte);
        byte[] header = [(byte)ScalarType.Byte, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20];
        File.WriteAllBytes(Last("optimizer.bin"), [.. bytes[..tail], .. header]);

        Resume().Should().Be($"{Last("optimizer.bin")}: tensor 'the global generator state' claims 1099511627776 elements; at most 1048576 are expected.");
    }

    [Fact]
    public void A_non_finite_model_weight_in_a_checkpoint_is_found()
    {
        var bytes = File.ReadAllBytes(Last("model.bin"));
        BitConverter.GetBytes(float.PositiveInfinity).CopyTo(bytes, bytes.Length - 4);
        File.WriteAllBytes(Last("model.bin"), bytes);

        Resume().Should().MatchRegex($"^{System.Text.RegularExpressions.Regex.Escape(Last("model.bin"))}: tensor '.+' holds a non-finite value \\(NaN or infinity\\) at element \\d+\\.$");
    }
}
