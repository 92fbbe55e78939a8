using STEM.Recommenders.Serving;
using STEM.Recommenders.Onnx.Serving;

namespace STEM.Recommenders.Onnx.Tests;

/// <summary>
/// ONNX Runtime's probabilities equal the TorchSharp Predictor's for every catalog model on 1,000
/// rows of the bundled sample (unseen ids, missing values, multi-valued cells), with the pipeline in
/// the graph and with id inputs.
/// </summary>
[Collection(SampleDataGroup.Name)]
public sealed class ParityTests(SampleData sample) : IDisposable
{
    public const double Tolerance = 1e-5;

    private readonly string _directory = TestPaths.TempDirectory();

    [Theory]
    [MemberData(nameof(TestModels.Names), MemberType = typeof(TestModels))]
    public void Raw_input_graph_scores_as_the_predictor(string name)
    {
        using var artifact = TestModels.Artifact(name, sample.Pipeline);
        var export = OnnxExporter.Export(artifact, Path.Combine(_directory, "raw"), new OnnxExportOptions { Inputs = OnnxInputs.Raw });
        export.Inputs.Should().Be(OnnxInputs.Raw);
        export.PipelinePath.Should().BeNull();

        var expected = Expected(artifact);
        using var onnx = new OnnxPredictor(export.ModelPath, new OnnxPredictorOptions { IntraOpThreads = 1, BatchSize = 300 });
        var actual = onnx.PredictTable(sample.Rows);

        AssertClose(expected, actual, name);
    }

    [Theory]
    [MemberData(nameof(TestModels.Names), MemberType = typeof(TestModels))]
    public void Id_input_graph_scores_as_the_predictor(string name)
    {
        using var artifact = TestModels.Artifact(name, sample.Pipeline);
        var export = OnnxExporter.Export(artifact, Path.Combine(_directory, "ids"), new OnnxExportOptions { Inputs = OnnxInputs.Ids });
        export.Inputs.Should().Be(OnnxInputs.Ids);
        File.Exists(export.PipelinePath).Should().BeTrue();

        var expected = Expected(artifact);
        using var onnx = new OnnxPredictor(export.ModelPath, new OnnxPredictorOptions { IntraOpThreads = 1 });
        onnx.Inputs.Should().Be(OnnxInputs.Ids);

        AssertClose(expected, onnx.PredictTable(sample.Rows), name);
    }

    public void Dispose() => TestPaths.Delete(_directory);

    private float[] Expected(ModelArtifact artifact)
    {
        using var predictor = new Predictor(artifact);
        return predictor.PredictTable(sample.Rows);
    }

    internal static void AssertClose(float[] expected, float[] actual, string name)
    {
        actual.Should().HaveCount(expected.Length);
        var worst = expected.Zip(actual, (e, a) => Math.Abs((double)e - a)).Max();
        worst.Should().BeLessThanOrEqualTo(Tolerance, $"{name}: ONNX Runtime and TorchSharp must agree to {Tolerance} (max abs difference {worst:E2})");

        // The rows must actually differ: equal scores everywhere would make agreement meaningless.
        var mean = expected.Average(p => (double)p);
        Math.Sqrt(expected.Average(p => (p - mean) * (p - mean))).Should().BeGreaterThan(1e-3, $"{name}: scores must vary across the rows");
        Console.WriteLine($"parity {name}: max |Δ| = {worst:E2} over {expected.Length} scores");
    }
}
