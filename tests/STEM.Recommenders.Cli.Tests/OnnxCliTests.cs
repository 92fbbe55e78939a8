namespace STEM.Recommenders.Cli.Tests;

/// <summary>
/// <c>stem export --format onnx</c> and <c>stem predict --backend onnx</c>: the ONNX model scores the
/// rows as the TorchSharp model does, and mistakes are one line with the documented exit code.
/// </summary>
[Collection(TrainedModelGroup.Name)]
public sealed class OnnxCliTests(TrainedModel trained) : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    [Fact]
    public async Task Export_to_onnx_then_predict_with_onnx_runtime_gives_the_torch_scores()
    {
        var export = Path.Combine(_dir, "onnx");
        var exported = await Stem.SucceedAsync("export", trained.Artifact, "--format", "onnx", "-o", export, "--json");
        exported.Json().GetProperty("inputs").GetString().Should().Be("raw");
        Directory.EnumerateFiles(export).Select(Path.GetFileName).Should().Equal(["model.onnx"]);
        Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Should().Equal(["onnx"], "no partial directory is left beside it");

        var torch = Path.Combine(_dir, "torch.csv");
        var onnx = Path.Combine(_dir, "onnx.csv");
        await Stem.SucceedAsync("predict", "--model", trained.Artifact, "--input", trained.DataCsv, "--output", torch, "--keep", "");
        await Stem.SucceedAsync("predict", "--backend", "onnx", "--model", export, "--input", trained.DataCsv, "--output", onnx, "--keep", "", "--threads", "1");

        // The id-input graph: the rows are encoded with pipeline.json beside the model.
        var idsExport = Path.Combine(_dir, "onnx-ids");
        var ids = Path.Combine(_dir, "ids.csv");
        (await Stem.SucceedAsync("export", trained.Artifact, "--format", "onnx", "--inputs", "ids", "-o", idsExport, "--json")).Json().GetProperty("inputs").GetString().Should().Be("ids");
        Directory.EnumerateFiles(idsExport).Select(Path.GetFileName).Should().BeEquivalentTo(["model.onnx", "pipeline.json"]);
        await Stem.SucceedAsync("predict", "--backend", "onnx", "--model", Path.Combine(idsExport, "model.onnx"), "--input", trained.DataCsv, "--output", ids, "--keep", "");

        var expected = File.ReadAllLines(torch);
        AssertSameScores(expected, File.ReadAllLines(ids));
        AssertSameScores(expected, File.ReadAllLines(onnx));
    }

    private static void AssertSameScores(string[] expected, string[] actual)
    {
        actual[0].Should().Be(expected[0]);
        actual.Should().HaveCount(expected.Length);
        for (var r = 1; r < expected.Length; r++)
        {
            var e = expected[r].Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            var a = actual[r].Split(',').Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            for (var k = 0; k < e.Length; k++)
            {
                a[k].Should().BeApproximately(e[k], 1e-5, $"row {r}, column {k}");
            }
        }
    }

    [Fact]
    public async Task Onnx_mistakes_are_one_line_with_their_exit_code()
    {
        var inputsWithoutOnnx = await Stem.RunAsync("export", trained.Artifact, "-o", Path.Combine(_dir, "x"), "--inputs", "raw");
        inputsWithoutOnnx.ExitCode.Should().Be(2);
        inputsWithoutOnnx.ErrorLine.Should().Be("stem: error: --inputs: applies to --format onnx only");

        var badFormat = await Stem.RunAsync("export", trained.Artifact, "-o", Path.Combine(_dir, "y"), "--format", "tflite");
        badFormat.ExitCode.Should().Be(2);
        badFormat.ErrorLine.Should().Contain("--format: 'tflite' is not one of pytorch, onnx");

        // An artifact is not an ONNX export: the error names the file that is missing.
        var notOnnx = await Stem.RunAsync("predict", "--backend", "onnx", "--model", trained.Artifact, "--input", trained.DataCsv, "--output", Path.Combine(_dir, "s.csv"));
        notOnnx.ExitCode.Should().Be(1);
        notOnnx.ErrorLine.Should().Be($"stem: error: {Path.Combine(trained.Artifact, "model.onnx")}: no ONNX model there");

        var missing = Path.Combine(_dir, "nothing-here");
        var noArtifact = await Stem.RunAsync("export", missing, "--format", "onnx", "-o", Path.Combine(_dir, "z"));
        noArtifact.ExitCode.Should().Be(1);
        noArtifact.ErrorLine.Should().StartWith($"stem: error: {missing}: no model artifact here");
    }
}
