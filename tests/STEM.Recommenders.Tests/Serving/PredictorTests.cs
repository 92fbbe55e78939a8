using System.Text.Json.Nodes;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Serving;

public class PredictorTests
{
    private static readonly Lazy<PresetSplits> Splits = new(() => KuaiRandPreset.LoadAsync(new KuaiRandOptions
    {
        LogPath = TestPaths.Sample("log.csv.gz"),
        UserFeaturesPath = TestPaths.Sample("user_features.csv.gz"),
        VideoFeaturesPath = TestPaths.Sample("video_features.csv.gz"),
    }).GetAwaiter().GetResult());

    private static (ModelArtifact Artifact, FeaturePipeline Pipeline) Build()
    {
        var pipeline = FeaturePipeline.Fit(Splits.Value.Schema, Splits.Value.Train);
        manual_seed(8);
        var model = new StemNet(pipeline.Layout, pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [8], GateUnits = [4], TowerUnits = [4], SharedExperts = 2, EmbeddingInitStd = 0.1 });
        return (ModelArtifact.Create(model, pipeline, new Dictionary<string, double> { ["validation/mean_auc"] = 0.5 }), pipeline);
    }

    private static Dictionary<string, string?> Row(DataTable table, int row) =>
        table.Columns.ToDictionary(c => c.Name, c => c[row]);

    [Theory]
    [InlineData("artifact")]
    [InlineData("model.stem")]
    public async Task A_saved_artifact_scores_raw_rows_like_the_model_scores_encoded_rows(string name)
    {
        var (artifact, pipeline) = Build();
        using var _ = artifact;
        var path = Path.Combine(TestPaths.TempDirectory(), name);
        await artifact.SaveAsync(path);
        var test = Splits.Value.Test.Select(Enumerable.Range(0, 50).ToArray());
        using var encoded = pipeline.Encode(test);
        var expected = Evaluator.Predict(artifact.Model, encoded);

        using var predictor = await Predictor.LoadAsync(path);
        var fromRows = predictor.PredictBatch(Enumerable.Range(0, 50).Select(r => (IReadOnlyDictionary<string, string?>)Row(test, r)).ToArray());

        predictor.TaskNames.Should().Equal("is_click", "long_view", "is_like");
        predictor.Artifact.Metadata.Metrics!["validation/mean_auc"].Should().Be(0.5);
        for (var r = 0; r < 50; r++)
        {
            for (var k = 0; k < 3; k++)
            {
                fromRows[r][predictor.TaskNames[k]].Should().BeApproximately(expected[(r * 3) + k], 1e-6);
            }
        }
    }

    [Fact]
    public void The_cpu_default_batches_a_large_request_and_scores_it_as_one_batch_does()
    {
        var (artifact, _) = Build();
        using var _ = artifact;
        var test = Splits.Value.Test;
        var rows = Math.Min(test.RowCount, (PredictorOptions.CpuBatchSize * 2) + 37);
        var table = test.Select(Enumerable.Range(0, rows).ToArray());
        rows.Should().BeGreaterThan(PredictorOptions.CpuBatchSize, "the request must span several default batches");

        using var byDefault = new Predictor(artifact);
        using var whole = new Predictor(artifact, new PredictorOptions { BatchSize = rows });
        using var tiny = new Predictor(artifact, new PredictorOptions { BatchSize = 7 });

        byDefault.BatchSize.Should().Be(PredictorOptions.CpuBatchSize);
        whole.BatchSize.Should().Be(rows);
        var expected = whole.PredictTable(table);
        byDefault.PredictTable(table).Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 1e-6f);
        tiny.PredictTable(table).Should().Equal(expected, (a, b) => Math.Abs(a - b) <= 1e-6f);
        var zero = () => new Predictor(artifact, new PredictorOptions { BatchSize = 0 });
        zero.Should().Throw<ArgumentOutOfRangeException>().WithMessage("PredictorOptions.BatchSize must be at least 1*");
    }

    [Fact]
    public void Unseen_and_missing_values_map_to_oov_and_still_score()
    {
        var (artifact, _) = Build();
        using var predictor = new Predictor(artifact, ownsArtifact: true);

        var unseen = predictor.Predict(new Dictionary<string, string?> { ["user_id"] = "no-such-user", ["video_id"] = "-1", ["hourmin"] = "1200" });
        var empty = predictor.Predict(new Dictionary<string, string?>());

        unseen.Values.Should().OnlyContain(p => p > 0 && p < 1);
        empty.Values.Should().OnlyContain(p => p > 0 && p < 1);
    }

    [Fact]
    public void An_empty_string_is_a_missing_value_in_numeric_and_categorical_columns()
    {
        var (artifact, _) = Build();
        using var predictor = new Predictor(artifact, ownsArtifact: true);

        // hourmin goes through a numeric transform (floor(hourmin / 100)): "" was "'' is not a number".
        var empty = predictor.Predict(new Dictionary<string, string?> { ["user_id"] = "", ["video_id"] = "5239", ["hourmin"] = "" });
        var missing = predictor.Predict(new Dictionary<string, string?> { ["video_id"] = "5239" });
        var nulls = predictor.Predict(new Dictionary<string, string?> { ["user_id"] = null, ["video_id"] = "5239", ["hourmin"] = null });

        empty.Should().Equal(missing);
        nulls.Should().Equal(missing);
    }

    [Fact]
    public void Keys_use_the_dictionary_comparer_and_values_are_not_trimmed()
    {
        var (artifact, _) = Build();
        using var predictor = new Predictor(artifact, ownsArtifact: true);
        var row = Row(Splits.Value.Test, 3);
        var exact = predictor.Predict(row);

        var upper = predictor.Predict(row.ToDictionary(kv => kv.Key.ToUpperInvariant(), kv => kv.Value));
        var ignoringCase = predictor.Predict(row.ToDictionary(kv => kv.Key.ToUpperInvariant(), kv => kv.Value, StringComparer.OrdinalIgnoreCase));
        var paddedNumber = predictor.Predict(new Dictionary<string, string?>(row) { ["hourmin"] = $" {row["hourmin"]} " });
        var paddedCategory = predictor.Predict(new Dictionary<string, string?>(row) { ["user_id"] = $" {row["user_id"]}" });
        var spaces = () => predictor.Predict(new Dictionary<string, string?>(row) { ["hourmin"] = "  " });

        upper.Should().Equal(predictor.Predict(new Dictionary<string, string?>()), "upper-case keys supply nothing to a case-sensitive dictionary");
        ignoringCase.Should().Equal(exact);
        paddedNumber.Should().Equal(exact);
        paddedCategory.Should().NotEqual(exact, "' 712' is another user than '712' (here: OOV)");
        spaces.Should().Throw<DataFormatException>().WithMessage("*'  ' is not a number (feature 'hour')*");
    }

    [Fact]
    public void Typed_rows_are_read_by_property_name()
    {
        var (artifact, _) = Build();
        using var predictor = new Predictor(artifact, ownsArtifact: true);
        var row = Row(Splits.Value.Test, 3);

        var typed = predictor.PredictBatch([new TypedRow(row["user_id"], row["video_id"], int.Parse(row["hourmin"]!, System.Globalization.CultureInfo.InvariantCulture))]);
        var partial = predictor.Predict(new Dictionary<string, string?> { ["user_id"] = row["user_id"], ["video_id"] = row["video_id"], ["hourmin"] = row["hourmin"] });

        typed[0].Should().Equal(partial);
    }

    [Fact]
    public void A_request_of_no_rows_is_refused_naming_the_model_and_an_empty_table_scores_to_nothing()
    {
        var (artifact, _) = Build();
        using var predictor = new Predictor(artifact, ownsArtifact: true);
        var name = artifact.Model.ModelName;

        var noRows = () => predictor.PredictBatch(Array.Empty<IReadOnlyDictionary<string, string?>>());
        var noTypedRows = () => predictor.PredictBatch(Array.Empty<object>());

        noRows.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage($"Model '{name}': a request of 0 rows has nothing to score; send at least one row.*");
        noTypedRows.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage($"Model '{name}': a request of 0 rows*");
        predictor.PredictTable(DataTable.FromColumns("empty.csv", predictor.InputColumns.Select(c => new KeyValuePair<string, string?[]>(c, [])).ToArray())).Should().BeEmpty();
    }

    [Fact]
    public void Text_in_a_numeric_column_names_the_row_and_column()
    {
        var (artifact, _) = Build();
        using var predictor = new Predictor(artifact, ownsArtifact: true);

        var act = () => predictor.Predict(new Dictionary<string, string?> { ["hourmin"] = "noon" });

        act.Should().Throw<DataFormatException>().WithMessage("request, line 1, column hourmin: 'noon' is not a number (feature 'hour')");

        // The exact type, not an AggregateException around it (FluentAssertions would unwrap one).
        Assert.Throws<DataFormatException>(() => predictor.Predict(new Dictionary<string, string?> { ["hourmin"] = "noon" }));
    }

    [Fact]
    public void Ten_thousand_calls_leave_the_number_of_live_tensors_flat()
    {
        var (artifact, _) = Build();
        using var predictor = new Predictor(artifact, ownsArtifact: true);
        var row = Row(Splits.Value.Test, 0);
        predictor.Predict(row);
        var before = LiveTensors.Settled();

        for (var i = 0; i < 10_000; i++)
        {
            predictor.Predict(row);
        }

        Tensor.TotalCount.Should().Be(before);
    }

    [Fact]
    public void Eight_threads_scoring_the_same_rows_get_identical_results()
    {
        var (artifact, _) = Build();
        using var predictor = new Predictor(artifact, ownsArtifact: true);
        var rows = Enumerable.Range(0, 40).Select(r => (IReadOnlyDictionary<string, string?>)Row(Splits.Value.Test, r)).ToArray();
        var reference = predictor.PredictBatch(rows);

        var results = new IReadOnlyList<IReadOnlyDictionary<string, double>>[8 * 25];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 8 }, i => results[i] = predictor.PredictBatch(rows));

        foreach (var result in results)
        {
            for (var r = 0; r < rows.Length; r++)
            {
                result[r].Should().Equal(reference[r]);
            }
        }
    }

    [Fact]
    public async Task Another_format_version_is_a_clear_error()
    {
        var (artifact, _) = Build();
        using var _a = artifact;
        var path = Path.Combine(TestPaths.TempDirectory(), "a");
        await artifact.SaveAsync(path);
        var metadata = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(path, ModelArtifact.MetadataFile)))!;
        metadata["formatVersion"] = 99;
        await File.WriteAllTextAsync(Path.Combine(path, ModelArtifact.MetadataFile), metadata.ToJsonString());

        var act = () => ModelArtifact.LoadAsync(path);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage($"{path}: artifact format version 99 *is not supported*");
    }

    [Fact]
    public async Task Weights_that_do_not_fit_the_options_are_a_clear_error()
    {
        var (artifact, _) = Build();
        using var _a = artifact;
        var path = Path.Combine(TestPaths.TempDirectory(), "a");
        await artifact.SaveAsync(path);
        var options = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(path, ModelArtifact.OptionsFile)))!;
        options["expertUnits"] = new JsonArray(16);
        await File.WriteAllTextAsync(Path.Combine(path, ModelArtifact.OptionsFile), options.ToJsonString());

        var act = () => ModelArtifact.LoadAsync(path);

        (await act.Should().ThrowAsync<InvalidDataException>()).WithMessage("*weight 'net.experts.0.experts.weights.0' has shape [5, 144, 8] in the artifact but [5, 144, 16]*");
    }

    [Fact]
    public async Task A_missing_artifact_is_a_clear_error()
    {
        var act = () => ModelArtifact.LoadAsync("/no/such/model");

        (await act.Should().ThrowAsync<FileNotFoundException>()).WithMessage("/no/such/model: no model artifact here*");
    }

    private sealed record TypedRow(string? User_id, string? Video_id, int Hourmin);
}
