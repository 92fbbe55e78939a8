using System.Globalization;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Onnx.Serving;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Onnx.Tests;

/// <summary>A dense vector field (with absent vectors) and a categorical floor-divide key in the graph score as the Predictor does.</summary>
public sealed class DenseVectorTests : IDisposable
{
    private readonly string _directory = TestPaths.TempDirectory();

    [Fact]
    public void Dense_vectors_in_the_graph_score_as_the_predictor()
    {
        var random = new Random(11);
        var n = 600;
        string? Number(int r, double scale) => r % 7 == 3 ? null : (random.NextDouble() * scale).ToString("R", CultureInfo.InvariantCulture);
        var v0 = new string?[n];
        var v1 = new string?[n];
        var v2 = new string?[n];
        for (var r = 0; r < n; r++)
        {
            (v0[r], v1[r], v2[r]) = (Number(r, 3), Number(r, 100), Number(r, -1));
        }

        var table = DataTable.FromColumns("vectors", [
            new("v0", v0), new("v1", v1), new("v2", v2),
            new("minute", Enumerable.Range(0, n).Select(r => r % 11 == 0 ? null : (r * 37 % 1440).ToString(CultureInfo.InvariantCulture)).ToArray()),
            new("city", Enumerable.Range(0, n).Select(r => new[] { "paris", "rome", "oslo", null }[r % 4]).ToArray()),
            new("click", Enumerable.Range(0, n).Select(r => (r % 3 == 0 ? 1 : 0).ToString(CultureInfo.InvariantCulture)).ToArray()),
        ]);
        var pipeline = FeaturePipeline.Fit(
            new FeatureSchema
            {
                Features =
                [
                    new DenseVectorFeature { Name = "vector", Columns = ["v0", "v1", "v2"], TaskSpecific = false },
                    new CategoricalFeature { Name = "hour", Column = "minute", Transform = ValueTransform.FloorDivide(60) },
                    new CategoricalFeature { Name = "city" },
                ],
                Tasks = [new TaskSpec { Name = "click" }],
            },
            table.Select(Enumerable.Range(0, 400).ToArray()));
        using var artifact = TestModels.Artifact("stem-net", pipeline);
        var export = OnnxExporter.Export(artifact, _directory, new OnnxExportOptions { Inputs = OnnxInputs.Raw });
        using var predictor = new Predictor(artifact);
        using var onnx = new OnnxPredictor(export.ModelPath);

        ParityTests.AssertClose(predictor.PredictTable(table), onnx.PredictTable(table), "stem-net with a dense vector");
        var partial = () => onnx.Predict(new Dictionary<string, string?> { ["v0"] = "1", ["v1"] = null, ["v2"] = "2", ["minute"] = "61", ["city"] = "rome" });
        partial.Should().Throw<DataFormatException>().WithMessage("*dense vector 'vector' has 1 of 3 components missing*");
    }

    public void Dispose() => TestPaths.Delete(_directory);
}
