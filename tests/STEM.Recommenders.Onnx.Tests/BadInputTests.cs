using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Onnx.Serving;
using STEM.Recommenders.Serving;

namespace STEM.Recommenders.Onnx.Tests;

/// <summary>Fields ONNX cannot express, files from elsewhere and bad rows: clear errors naming the model, feature, column or file.</summary>
[Collection(SampleDataGroup.Name)]
public sealed class BadInputTests(SampleData sample) : IDisposable
{
    private readonly string _directory = TestPaths.TempDirectory();

    [Fact]
    public void A_hashed_field_falls_back_to_id_inputs_and_names_the_field()
    {
        var pipeline = HashedPipeline();
        using var artifact = TestModels.Artifact("mmoe", pipeline);

        var forced = () => OnnxExporter.Export(artifact, Path.Combine(_directory, "raw"), new OnnxExportOptions { Inputs = OnnxInputs.Raw });
        forced.Should().Throw<OnnxExportException>().WithMessage("Cannot put the feature pipeline of model 'mmoe' into the ONNX graph: feature 'user_hash': hash buckets*");

        var export = OnnxExporter.Export(artifact, Path.Combine(_directory, "auto"));
        export.Inputs.Should().Be(OnnxInputs.Ids);
        export.NotInGraph.Should().ContainSingle().Which.Should().StartWith("feature 'user_hash'");
        using var predictor = new Predictor(artifact);
        using var onnx = new OnnxPredictor(export.ModelPath);
        ParityTests.AssertClose(predictor.PredictTable(sample.Rows), onnx.PredictTable(sample.Rows), "mmoe with hashed ids");
    }

    [Fact]
    public void A_pipeline_json_of_another_pipeline_is_refused()
    {
        using var artifact = TestModels.Artifact("mmoe", HashedPipeline());
        var export = OnnxExporter.Export(artifact, _directory, new OnnxExportOptions { Inputs = OnnxInputs.Ids });
        File.WriteAllText(export.PipelinePath!, HashedPipeline(buckets: 50).ToJson());

        var load = () => new OnnxPredictor(export.ModelPath);

        load.Should().Throw<InvalidDataException>().WithMessage($"{export.PipelinePath} is another pipeline (hash *) than the one {export.ModelPath} was exported with*");
    }

    [Fact]
    public void A_model_of_another_export_format_or_without_the_librarys_metadata_is_refused()
    {
        using var artifact = TestModels.Artifact("esmm", sample.Pipeline);
        var export = OnnxExporter.Export(artifact, _directory);
        var model = global::Onnx.ModelProto.Parser.ParseFrom(File.ReadAllBytes(export.ModelPath));
        var newer = model.Clone();
        newer.MetadataProps.Single(p => p.Key == OnnxNames.FormatVersionKey).Value = "99";
        var foreign = model.Clone();
        foreign.MetadataProps.Clear();
        var newerPath = Path.Combine(_directory, "newer.onnx");
        var foreignPath = Path.Combine(_directory, "foreign.onnx");
        File.WriteAllBytes(newerPath, Google.Protobuf.MessageExtensions.ToByteArray(newer));
        File.WriteAllBytes(foreignPath, Google.Protobuf.MessageExtensions.ToByteArray(foreign));

        ((Action)(() => new OnnxPredictor(newerPath).Dispose())).Should().Throw<InvalidDataException>().WithMessage($"{newerPath}: ONNX export format version 99 is not supported (this library reads version 1)");
        ((Action)(() => new OnnxPredictor(foreignPath).Dispose())).Should().Throw<InvalidDataException>().WithMessage($"{foreignPath}: not an ONNX model exported by STEM.Recommenders (metadata 'stem.*' is missing)");
    }

    [Fact]
    public void Files_that_are_not_exported_models_are_named()
    {
        var garbage = Path.Combine(_directory, "model.onnx");
        File.WriteAllText(garbage, "not a model");
        var missing = Path.Combine(_directory, "absent.onnx");

        ((Action)(() => new OnnxPredictor(garbage).Dispose())).Should().Throw<InvalidDataException>().WithMessage($"{garbage}: ONNX Runtime cannot load the model*");
        ((Action)(() => new OnnxPredictor(missing).Dispose())).Should().Throw<FileNotFoundException>().WithMessage($"{missing}: no ONNX model there");
    }

    [Fact]
    public void Bad_rows_are_errors_naming_the_column_a_request_of_no_rows_is_refused_and_an_empty_table_scores_to_nothing()
    {
        using var artifact = TestModels.Artifact("stem-net", sample.Pipeline);
        var export = OnnxExporter.Export(artifact, _directory);
        using var onnx = new OnnxPredictor(export.ModelPath);
        var row = onnx.InputColumns.ToDictionary(c => c, c => sample.Rows.Column(c)[0]);

        var text = () => onnx.Predict(new Dictionary<string, string?>(row) { ["hourmin"] = "noon" });
        var nan = () => onnx.Predict(new Dictionary<string, string?>(row) { ["video_duration"] = "NaN" });
        var domain = () => onnx.Predict(new Dictionary<string, string?>(row) { ["video_duration"] = "-5000" });
        var noColumn = () => onnx.PredictTable(DataTable.FromColumns("request.csv", [new KeyValuePair<string, string?[]>("user_id", ["1"])]));

        text.Should().Throw<DataFormatException>().WithMessage("*'noon' is not a number (column 'hourmin')*");
        nan.Should().Throw<DataFormatException>().WithMessage("*'NaN' is not a number (column 'video_duration')*");
        domain.Should().Throw<DataFormatException>().WithMessage("*'-5000' is outside the domain of Log2Bucket (column 'video_duration')*");
        noColumn.Should().Throw<DataFormatException>().WithMessage("*request.csv*video_id*");
        onnx.PredictTable(sample.Rows.Select([])).Should().BeEmpty();
        var noRows = () => onnx.PredictBatch(Array.Empty<IReadOnlyDictionary<string, string?>>());
        var noTypedRows = () => onnx.PredictBatch(Array.Empty<object>());
        noRows.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Model 'stem-net': a request of 0 rows has nothing to score; send at least one row.*");
        noTypedRows.Should().Throw<ArgumentException>().WithParameterName("rows").WithMessage("Model 'stem-net': a request of 0 rows*");
    }

    [Fact]
    public void A_model_type_without_a_writer_and_an_unknown_module_are_named()
    {
        using var noWriter = new Unwritable(sample.Pipeline.Layout, sample.Pipeline.TaskNames, new CustomModels.TowersOnlyOptions { EmbeddingDim = 2 });
        var act = () => OnnxExporter.Build(noWriter, sample.Pipeline, OnnxInputs.Auto);

        act.Should().Throw<OnnxExportException>().WithMessage("Cannot export model 'unwritable' (*Unwritable) to ONNX: no ONNX writer for this model type*; modules without an ONNX writer: Doubler (at 'doubler')");

        OnnxExporter.Register(new UnwritableWriter());
        act.Should().Throw<OnnxExportException>().WithMessage("Cannot export model 'unwritable' to ONNX: no ONNX writer for module type *Doubler (at 'doubler')*");
    }

    public void Dispose() => TestPaths.Delete(_directory);

    private FeaturePipeline HashedPipeline(int buckets = 100) => FeaturePipeline.Fit(
        new FeatureSchema
        {
            Features = [new CategoricalFeature { Name = "user_hash", Column = "user_id", HashBuckets = buckets }, new CategoricalFeature { Name = "video_id" }, new MultiValueFeature { Name = "tag" }],
            Tasks = [new TaskSpec { Name = "is_click" }, new TaskSpec { Name = "long_view" }],
        },
        sample.Rows);

    /// <summary>A custom model with a module no ONNX writer knows.</summary>
    private sealed class Unwritable : MultiTaskModel
    {
        private readonly STEM.Recommenders.Modules.EmbeddingBank embedding;
        private readonly Doubler doubler = new();
        private readonly STEM.Recommenders.Modules.TaskTower towers;

        public Unwritable(STEM.Recommenders.EncodedData.FeatureLayout layout, IReadOnlyList<string> tasks, CustomModels.TowersOnlyOptions options)
            : base("unwritable", layout, tasks, options)
        {
            embedding = new STEM.Recommenders.Modules.EmbeddingBank("embedding", layout, options.EmbeddingDim, 0);
            towers = new STEM.Recommenders.Modules.TaskTower("towers", TaskCount, embedding.ViewWidth, Mlp([3]));
            RegisterComponents();
        }

        public override MultiTaskOutput forward(STEM.Recommenders.EncodedData.FeatureBatch batch) =>
            new(towers.forward(doubler.forward(embedding.forward(batch)[0])));
    }

    private sealed class Doubler() : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>("doubler")
    {
        public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor input) => input * 2;
    }

    private sealed class UnwritableWriter : Graph.IOnnxModelWriter
    {
        public Type ModelType => typeof(Unwritable);

        public string Write(Graph.OnnxGraph graph, IMultiTaskModel model, string ids, string? weights)
        {
            var x = graph.Module(Graph.OnnxGraph.Child(model.TorchModule, "embedding"), "embedding", ids, weights!)[0];
            return graph.Module(Graph.OnnxGraph.Child(model.TorchModule, "doubler"), "doubler", x)[0];
        }
    }
}
