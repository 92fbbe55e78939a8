using STEM.Recommenders.Scaling;

namespace STEM.Recommenders.Tests.Scaling;

public sealed class ScalingRunsTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "stem-scaling-runs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public void Runs_round_trip_through_a_camel_case_json_file_including_a_diverged_loss()
    {
        var runs = new[] { ScalingTestData.Run("a", 1.5e12, 3.25, seed: 4), ScalingTestData.Run("b", 2e13, double.NaN) };
        var path = Path.Combine(_directory, "sub", "runs.json");

        ScalingRuns.Save(path, runs);
        var loaded = ScalingRuns.Load(path);

        loaded.Should().Equal(runs);
        var json = File.ReadAllText(path);
        json.Should().Contain("\"nonEmbeddingParameters\": 1000000").And.Contain("\"trainingUsers\"").And.Contain("\"loss\": \"NaN\"");
    }

    [Fact]
    public void Errors_name_the_file()
    {
        var missing = Path.Combine(_directory, "missing.json");
        Directory.CreateDirectory(_directory);
        var broken = Path.Combine(_directory, "broken.json");
        File.WriteAllText(broken, "[{\"name\": \"a\", \"loss\": }]");
        var nameless = Path.Combine(_directory, "nameless.json");
        File.WriteAllText(nameless, "[{\"loss\": 1.0, \"name\": \"\"}]");

        ((Action)(() => ScalingRuns.Load(missing))).Should().Throw<FileNotFoundException>().WithMessage($"*{missing}*");
        ((Action)(() => ScalingRuns.Load(broken))).Should().Throw<InvalidDataException>().WithMessage($"{broken}: not a JSON array*line 1*");
        ((Action)(() => ScalingRuns.Load(nameless))).Should().Throw<InvalidDataException>().WithMessage($"{nameless}: run 0 has no name.");
        ((Action)(() => ScalingRuns.FromJson("null", "x.json"))).Should().Throw<InvalidDataException>().WithMessage("x.json: *found null*");
    }
}
