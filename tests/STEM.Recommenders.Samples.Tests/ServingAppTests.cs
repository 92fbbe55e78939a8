using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using Serving;
using static TorchSharp.torch;

namespace STEM.Recommenders.Samples.Tests;

/// <summary>The Serving sample, started in process on a free loopback port over a small untrained artifact.</summary>
public class ServingAppTests
{
    private static readonly Lazy<PresetSplits> Splits = new(() => KuaiRandPreset.LoadAsync(new KuaiRandOptions
    {
        LogPath = TestPaths.Sample("log.csv.gz"),
        UserFeaturesPath = TestPaths.Sample("user_features.csv.gz"),
        VideoFeaturesPath = TestPaths.Sample("video_features.csv.gz"),
    }).GetAwaiter().GetResult());

    /// <summary>A tiny STEM-Net (nothing trained) on the sample's fitted pipeline, saved once.</summary>
    private static readonly Lazy<Task<string>> ArtifactPath = new(async () =>
    {
        var pipeline = FeaturePipeline.Fit(Splits.Value.Schema, Splits.Value.Train);
        manual_seed(8);
        using var model = new StemNet(pipeline.Layout, pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [8], GateUnits = [4], TowerUnits = [4], SharedExperts = 2, EmbeddingInitStd = 0.1 });
        using var artifact = ModelArtifact.Create(model, pipeline, ownsModel: false);
        var path = Path.Combine(TestPaths.TempDirectory(), "model");
        await artifact.SaveAsync(path);
        return path;
    });

    private static async Task WithServer(Func<HttpClient, Task> test, params string[] settings)
    {
        var artifact = await ArtifactPath.Value;
        await using var app = ServingApp.Build(
            ["--urls=http://127.0.0.1:0", $"--Stem:ArtifactPath={artifact}", "--Logging:LogLevel:Default=Warning", .. settings],
            TestPaths.SampleProject("Serving"));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        try
        {
            var address = app.Urls.Single();
            new Uri(address).IsLoopback.Should().BeTrue();
            using var client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
            await test(client);
        }
        finally
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await app.StopAsync(stop.Token);
        }
    }

    private static Dictionary<string, string?> Row(DataTable table, int row) =>
        table.Columns.ToDictionary(c => c.Name, c => c[row]);

    /// <summary>The row as JSON: integer-looking values as JSON numbers, the rest as strings or null.</summary>
    private static Dictionary<string, object?> AsJson(IReadOnlyDictionary<string, string?> row) =>
        row.ToDictionary(
            kv => kv.Key,
            kv => long.TryParse(kv.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n.ToString(CultureInfo.InvariantCulture) == kv.Value ? n : (object?)kv.Value);

    private static async Task<ProblemDetails> ExpectProblem(HttpResponseMessage response, HttpStatusCode status)
    {
        response.StatusCode.Should().Be(status);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = (await response.Content.ReadFromJsonAsync<ProblemDetails>())!;
        problem.Status.Should().Be((int)status);
        problem.Detail.Should().NotBeNullOrWhiteSpace().And.NotContain("\n");
        return problem;
    }

    [Fact]
    public async Task Score_returns_the_predictors_probabilities_for_raw_rows()
    {
        using var predictor = await Predictor.LoadAsync(await ArtifactPath.Value);
        var test = Splits.Value.Test;
        var rows = Enumerable.Range(0, 6).Select(r => (IReadOnlyDictionary<string, string?>)Row(test, r * 97)).ToList();
        rows.Add(new Dictionary<string, string?> { ["user_id"] = "no-such-user", ["hourmin"] = null });
        var expected = predictor.PredictBatch(rows);
        var json = rows.Select(AsJson).ToArray();
        json[0].Values.Should().Contain(v => v is long, "the request mixes JSON numbers and strings");

        await WithServer(async client =>
        {
            using var response = await client.PostAsJsonAsync("/score", new { rows = json });

            response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            var body = (await response.Content.ReadFromJsonAsync<ScoreResponse>())!;
            body.Tasks.Should().Equal("is_click", "long_view", "is_like");
            body.Scores.Should().HaveCount(rows.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                foreach (var task in body.Tasks)
                {
                    body.Scores[r][task].Should().BeApproximately(expected[r][task], 1e-6, $"row {r}, task {task}");
                }
            }
        });
    }

    [Fact]
    public async Task The_onnx_backend_chosen_by_configuration_scores_as_the_predictor()
    {
        using var predictor = await Predictor.LoadAsync(await ArtifactPath.Value);
        var onnx = Path.Combine(TestPaths.TempDirectory(), "onnx");
        STEM.Recommenders.Onnx.OnnxExporter.Export(predictor.Artifact, onnx);
        var test = Splits.Value.Test;
        var rows = Enumerable.Range(0, 6).Select(r => (IReadOnlyDictionary<string, string?>)Row(test, r * 89)).ToList();
        var expected = predictor.PredictBatch(rows);

        await WithServer(
            async client =>
            {
                (await client.GetFromJsonAsync<HealthResponse>("/health"))!.Backend.Should().Be("onnx");
                using var response = await client.PostAsJsonAsync("/score", new { rows = rows.Select(AsJson).ToArray() });

                response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
                var body = (await response.Content.ReadFromJsonAsync<ScoreResponse>())!;
                for (var r = 0; r < rows.Count; r++)
                {
                    foreach (var task in body.Tasks)
                    {
                        body.Scores[r][task].Should().BeApproximately(expected[r][task], 1e-5, $"row {r}, task {task}");
                    }
                }

                using var bad = await client.PostAsJsonAsync("/score", new { rows = new[] { new Dictionary<string, object?> { ["hourmin"] = "noon" } } });
                (await ExpectProblem(bad, HttpStatusCode.BadRequest)).Detail.Should().Contain("'noon' is not a number (column 'hourmin')");
            },
            "--Serving:Backend=onnx",
            $"--Serving:OnnxModelPath={onnx}");
    }

    [Fact]
    public async Task Health_reports_the_model_tasks_and_library_version()
    {
        await WithServer(async client =>
        {
            var health = (await client.GetFromJsonAsync<HealthResponse>("/health"))!;

            health.Status.Should().Be("ok");
            health.Model.Should().Be(StemNet.Name);
            health.Tasks.Should().Equal("is_click", "long_view", "is_like");
            health.LibraryVersion.Should().Be(ModelArtifact.LibraryVersion);
        });
    }

    [Fact]
    public async Task Bad_input_is_a_400_problem_with_a_one_line_message()
    {
        await WithServer(async client =>
        {
            using (var malformed = await client.PostAsync("/score", new StringContent("{\"rows\": [", Encoding.UTF8, "application/json")))
            {
                (await ExpectProblem(malformed, HttpStatusCode.BadRequest)).Detail.Should().StartWith("Malformed JSON: ");
            }

            // Text in a numeric column: the pipeline's DataFormatException names the row and column.
            using (var text = await client.PostAsJsonAsync("/score", new { rows = new object[] { new { user_id = "1" }, new { hourmin = "noon" } } }))
            {
                (await ExpectProblem(text, HttpStatusCode.BadRequest)).Detail.Should().Be("request, line 2, column hourmin: 'noon' is not a number (feature 'hour')");
            }

            using (var boolean = await client.PostAsJsonAsync("/score", new { rows = new object[] { new { tab = true } } }))
            {
                (await ExpectProblem(boolean, HttpStatusCode.BadRequest)).Detail.Should().Be("Row 1, column tab: expected a string, a number or null, not true.");
            }

            using (var empty = await client.PostAsJsonAsync("/score", new { rows = Array.Empty<object>() }))
            {
                await ExpectProblem(empty, HttpStatusCode.BadRequest);
            }

            using (var plain = await client.PostAsync("/score", new StringContent("user_id=1", Encoding.UTF8, "text/plain")))
            {
                await ExpectProblem(plain, HttpStatusCode.UnsupportedMediaType);
            }

            // The server still scores after the errors.
            using var good = await client.PostAsJsonAsync("/score", new { rows = new object[] { new { user_id = "1", hourmin = 1200 } } });
            good.StatusCode.Should().Be(HttpStatusCode.OK);
        });
    }
}
