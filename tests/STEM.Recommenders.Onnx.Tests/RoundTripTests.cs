using STEM.Recommenders.Onnx.Serving;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Onnx.Tests;

/// <summary>A saved artifact → ONNX → scores equal the Predictor's, through every overload, from concurrent callers.</summary>
[Collection(SampleDataGroup.Name)]
public sealed class RoundTripTests(SampleData sample) : IDisposable
{
    private readonly string _directory = TestPaths.TempDirectory();

    [Fact]
    public async Task A_saved_artifact_exports_and_scores_as_its_predictor()
    {
        var path = Path.Combine(_directory, "model.stem");
        using (var trained = TestModels.Artifact("stem-net", sample.Pipeline))
        {
            await trained.SaveAsync(path);
        }

        using var predictor = await Predictor.LoadAsync(path);
        var export = OnnxExporter.Export(predictor.Artifact, Path.Combine(_directory, "onnx"));
        using var onnx = new OnnxPredictor(Path.Combine(_directory, "onnx"), new OnnxPredictorOptions { IntraOpThreads = 1, InterOpThreads = 1 });

        onnx.TaskNames.Should().Equal(predictor.TaskNames);
        onnx.InputColumns.Should().Equal(predictor.InputColumns);
        onnx.PipelineHash.Should().Be(predictor.Artifact.Pipeline.ContentHash);
        onnx.ModelName.Should().Be("stem-net");
        ParityTests.AssertClose(predictor.PredictTable(sample.Rows), onnx.PredictTable(sample.Rows), "stem-net from a saved artifact");

        var rows = Enumerable.Range(0, 20).Select(r => (IReadOnlyDictionary<string, string?>)onnx.InputColumns.ToDictionary(c => c, c => sample.Rows.Column(c)[r])).ToArray();
        var expected = predictor.PredictBatch(rows);
        var actual = onnx.PredictBatch(rows);
        for (var r = 0; r < rows.Length; r++)
        {
            foreach (var task in onnx.TaskNames)
            {
                actual[r][task].Should().BeApproximately(expected[r][task], ParityTests.Tolerance);
            }
        }

        var typed = new[] { new TypedRow { User_Id = 712, Video_Id = 5239, Tag = "2,9", HourMin = 1230 } };
        onnx.PredictBatch(typed)[0]["is_click"].Should().BeApproximately(predictor.PredictBatch(typed)[0]["is_click"], ParityTests.Tolerance);
    }

    [Fact]
    public void Concurrent_callers_get_the_scores_of_one_caller()
    {
        using var artifact = TestModels.Artifact("ple", sample.Pipeline);
        var export = OnnxExporter.Export(artifact, _directory);
        using var onnx = new OnnxPredictor(export.ModelPath, new OnnxPredictorOptions { BatchSize = 64 });
        var alone = onnx.PredictTable(sample.Rows);

        var together = Enumerable.Range(0, 4).AsParallel().WithDegreeOfParallelism(4).Select(_ => onnx.PredictTable(sample.Rows)).ToArray();

        together.Should().AllSatisfy(scores => scores.Should().Equal(alone));
    }

    [Fact]
    public void The_cpu_default_batches_a_large_request_and_scores_it_as_one_call_does()
    {
        using var artifact = TestModels.Artifact("mmoe", sample.Pipeline);
        var export = OnnxExporter.Export(artifact, _directory);
        var repeated = Enumerable.Range(0, OnnxPredictorOptions.CpuBatchSize + 300).Select(i => i % sample.Rows.RowCount).ToArray();
        var table = sample.Rows.Select(repeated);
        using var byDefault = new OnnxPredictor(export.ModelPath);
        using var whole = new OnnxPredictor(export.ModelPath, new OnnxPredictorOptions { BatchSize = repeated.Length });

        byDefault.PredictTable(table).Should().Equal(whole.PredictTable(table), (a, b) => Math.Abs(a - b) <= 1e-6f);
        var zero = () => new OnnxPredictor(export.ModelPath, new OnnxPredictorOptions { BatchSize = 0 });
        zero.Should().Throw<ArgumentOutOfRangeException>().WithMessage("OnnxPredictorOptions.BatchSize must be at least 1*");
    }

    public void Dispose() => TestPaths.Delete(_directory);

    private sealed record TypedRow
    {
        public long User_Id { get; init; }

        public long Video_Id { get; init; }

        public string? Tag { get; init; }

        public int HourMin { get; init; }
    }
}
