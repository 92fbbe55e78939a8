using System.IO.Compression;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>A broken artifact is exit 1 with one line naming the .stem file and the entry at fault, in every command that reads one.</summary>
[Collection(TrainedModelGroup.Name)]
public sealed class ArtifactErrorTests(TrainedModel trained) : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    private string TruncatedStem()
    {
        var copy = Path.Combine(_dir, "model");
        System.IO.Directory.CreateDirectory(copy);
        foreach (var file in System.IO.Directory.GetFiles(trained.Artifact))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var weights = Path.Combine(copy, "weights.bin");
        File.WriteAllBytes(weights, File.ReadAllBytes(weights)[..100]);
        var stem = Path.Combine(_dir, "broken.stem");
        ZipFile.CreateFromDirectory(copy, stem);
        return stem;
    }

    [Fact]
    public async Task Evaluate_and_predict_on_a_truncated_artifact_exit_1_naming_the_stem_file_and_weights_bin()
    {
        var stem = TruncatedStem();

        var evaluate = await Stem.RunAsync("evaluate", "--model", stem, "--data", trained.DataCsv);
        var predict = await Stem.RunAsync("predict", "--model", stem, "--input", trained.DataCsv, "--output", Path.Combine(_dir, "scores.csv"));

        foreach (var result in new[] { evaluate, predict })
        {
            result.ExitCode.Should().Be(1, result.ToString());
            result.ErrorLine.Should().StartWith($"stem: error: {stem}: weights.bin: tensor '").And.EndWith("(it is truncated).");
        }
    }
}
