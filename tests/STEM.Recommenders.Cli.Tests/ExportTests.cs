using System.Diagnostics;
using System.Text.Json;
using STEM.Recommenders.Data;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.PyTorch;
using STEM.Recommenders.Serving;
using STEM.Recommenders.Training;
using static TorchSharp.torch;

namespace STEM.Recommenders.Cli.Tests;

/// <summary>
/// Export for PyTorch/TorchRec: model.pt reads back (with PyBridge's loader) to exactly the model's
/// tensors, vocab.json predicts the ids the pipeline encodes, and <c>stem export</c> keeps the CLI's
/// contract (exit codes, no overwrite by accident).
/// </summary>
[Collection(TrainedModelGroup.Name)]
public sealed class ExportTests(TrainedModel trained) : IDisposable
{
    private static readonly string[] Cities = ["paris", "rome", "oslo", "lima"];

    private readonly string _dir = TestPaths.TempDirectory();

    public void Dispose() => TestPaths.Delete(_dir);

    private static FeatureSchema Schema() => new()
    {
        Features =
        [
            new CategoricalFeature { Name = "city" },
            new CategoricalFeature { Name = "user", HashBuckets = 8, TaskSpecific = false },
            new NumericFeature { Name = "age", Buckets = 3 },
            new NumericFeature { Name = "price", TaskSpecific = false },
            new MultiValueFeature { Name = "tags", Separator = "|", MaxLength = 3 },
        ],
        Tasks = [new TaskSpec { Name = "click" }, new TaskSpec { Name = "like" }],
    };

    private static DataTable Rows(int n, int seed)
    {
        var random = new Random(seed);
        string?[] Column(Func<int, string?> value) => Enumerable.Range(0, n).Select(value).ToArray();
        return DataTable.FromColumns("rows", [
            new("city", Column(i => Cities[i % 4])),
            new("user", Column(i => $"u{random.Next(50)}")),
            new("age", Column(i => (18 + random.Next(60)).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            new("price", Column(i => (random.NextDouble() * 10).ToString("R", System.Globalization.CultureInfo.InvariantCulture))),
            new("tags", Column(i => string.Join('|', new[] { "a", "b", "c", "d" }.Where((_, k) => random.Next(2) == 0)))),
            new("click", Column(i => random.Next(2).ToString(System.Globalization.CultureInfo.InvariantCulture))),
            new("like", Column(i => random.Next(2).ToString(System.Globalization.CultureInfo.InvariantCulture))),
        ]);
    }

    /// <summary>A STEM-Net trained for a few steps on a schema with every kind of field.</summary>
    private static ModelArtifact TrainedStemNet()
    {
        var pipeline = FeaturePipeline.Fit(Schema(), Rows(200, 1));
        using var train = pipeline.Encode(Rows(200, 1), DatasetRole.Train);
        using var validation = pipeline.Encode(Rows(60, 2), DatasetRole.Validation);
        manual_seed(3);
        var model = new StemNet(pipeline.Layout, pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [8], GateUnits = [4], TowerUnits = [4], SharedExperts = 1 });
        new Trainer(new TrainerOptions { Epochs = 2, BatchSize = 32 }).Fit(model, train, validation);
        return ModelArtifact.Create(model, pipeline);
    }

    [Fact]
    public void The_state_dict_reads_back_to_exactly_the_models_tensors()
    {
        using var artifact = TrainedStemNet();
        var output = Path.Combine(_dir, "export");

        var tensors = PyTorchExport.Export(artifact, output);

        var expected = artifact.Model.TorchModule.state_dict();
        var read = PyTorchExport.ReadStateDict(Path.Combine(output, PyTorchExport.StateDictFile));
        try
        {
            read.Keys.Order(StringComparer.Ordinal).Should().Equal(expected.Keys.Order(StringComparer.Ordinal));
            tensors.Select(t => t.Name).Should().BeEquivalentTo(expected.Keys);
            read.Keys.Should().Contain(["net.embedding.task_table", "net.embedding.shared_table", "net.experts.0.experts.weights.0"], "PyTorch's dotted module paths");
            foreach (var (name, tensor) in expected)
            {
                read[name].dtype.Should().Be(tensor.dtype, name);
                read[name].shape.Should().Equal(tensor.shape, name);
                read[name].eq(tensor).all().item<bool>().Should().BeTrue(name);
            }
        }
        finally
        {
            foreach (var t in read.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void The_vocabulary_file_gives_the_ids_the_pipeline_encodes()
    {
        using var artifact = TrainedStemNet();
        var output = Path.Combine(_dir, "export");
        PyTorchExport.Export(artifact, output);
        using var vocab = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, PyTorchExport.VocabularyFile)));
        var root = vocab.RootElement;
        var pipeline = artifact.Pipeline;
        var fields = root.GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!);

        root.GetProperty("format").GetString().Should().Be("stem-vocabulary");
        root.GetProperty("tasks").EnumerateArray().Select(t => t.GetString()).Should().Equal("click", "like");
        root.GetProperty("slots").GetInt32().Should().Be(pipeline.Layout.SlotCount);
        fields.Keys.Should().Equal("city", "age", "tags", "user", "price");

        // Every table's rows are the global ids from its offset on; each field sits in one of them.
        var tables = root.GetProperty("tables").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        tables["net.embedding.task_table"].GetProperty("width").GetInt64().Should().Be(3 * 4, "T+1 views of d = 4");
        tables["net.embedding.shared_table"].GetProperty("globalIdOffset").GetInt64().Should().Be(pipeline.Layout.TaskSpecificRows);
        foreach (var (name, field) in fields)
        {
            var layout = pipeline.Layout.Fields.Single(f => f.Name == name);
            field.GetProperty("offset").GetInt64().Should().Be(layout.Offset);
            field.GetProperty("rows").GetInt64().Should().Be(layout.Rows);
            field.GetProperty("firstSlot").GetInt32().Should().Be(layout.FirstSlot);
            var table = tables[field.GetProperty("table").GetString()!];
            field.GetProperty("tableOffset").GetInt64().Should().Be(layout.Offset - table.GetProperty("globalIdOffset").GetInt64());
            (field.GetProperty("tableOffset").GetInt64() + layout.Rows).Should().BeLessThanOrEqualTo(table.GetProperty("rows").GetInt64());
        }

        fields["city"].GetProperty("vocabulary").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(Cities);
        fields["tags"].GetProperty("vocabulary").EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo(["a", "b", "c", "d"]);
        fields["user"].GetProperty("hashBuckets").GetInt32().Should().Be(8);
        fields["age"].GetProperty("boundaries").GetArrayLength().Should().Be(2);

        // What vocab.json says the ids are, the pipeline encodes.
        var city = fields["city"].GetProperty("vocabulary").EnumerateObject().ToArray();
        var tags = fields["tags"].GetProperty("vocabulary");
        var boundaries = fields["age"].GetProperty("boundaries").EnumerateArray().Select(b => b.GetDouble()).ToArray();
        string[] users = ["u1", "alice", "u49", "zz"];
        string[] ages = ["20", "45", "77", "30"];
        var probe = DataTable.FromColumns("probe", [
            new("city", city.Select(p => (string?)p.Name).ToArray()),
            new("user", users.Select(u => (string?)u).ToArray()),
            new("age", ages.Select(a => (string?)a).ToArray()),
            new("price", ["1", "2", "3", "4"]),
            new("tags", ["a|c", "d", "b|a|d", "c"]),
        ]);
        var batch = pipeline.EncodeFeatures(probe);
        var ids = batch.Ids.data<long>().ToArray();
        var s = pipeline.Layout.SlotCount;
        long Id(int row, string field, int slot = 0) => ids[(row * s) + fields[field].GetProperty("firstSlot").GetInt32() + slot] - fields[field].GetProperty("offset").GetInt64();
        for (var r = 0; r < 4; r++)
        {
            Id(r, "city").Should().Be(city[r].Value.GetInt64());
            Id(r, "user").Should().Be(1 + (long)(Fnv1a(users[r]) % 8UL), users[r]);
            Id(r, "age").Should().Be(1 + boundaries.Count(b => b <= double.Parse(ages[r], System.Globalization.CultureInfo.InvariantCulture)));
            Id(r, "price").Should().Be(0, "a scaled numeric field has one row");
        }

        Id(0, "tags", 0).Should().Be(tags.GetProperty("a").GetInt64());
        Id(0, "tags", 1).Should().Be(tags.GetProperty("c").GetInt64());
        Id(0, "tags", 2).Should().Be(0, "padding");
        Id(2, "tags", 2).Should().Be(tags.GetProperty("d").GetInt64());
    }

    [Fact]
    public void The_description_lists_every_tensor_with_its_shape()
    {
        using var artifact = TrainedStemNet();
        var output = Path.Combine(_dir, "export");
        PyTorchExport.Export(artifact, output);
        using var description = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, PyTorchExport.DescriptionFile)));

        var tensors = description.RootElement.GetProperty("tensors").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!);
        description.RootElement.GetProperty("model").GetString().Should().Be("stem-net");
        foreach (var (name, tensor) in artifact.Model.TorchModule.state_dict())
        {
            tensors[name].GetProperty("shape").EnumerateArray().Select(d => d.GetInt64()).Should().Equal(tensor.shape, name);
            tensors[name].GetProperty("dtype").GetString().Should().Be(tensor.dtype == ScalarType.Int64 ? "int64" : "float32", name);
        }

        tensors["net.embedding.slot_field_wide"].GetProperty("role").GetString().Should().StartWith("buffer");
        tensors["net.experts.0.experts.weights.0"].GetProperty("role").GetString().Should().Be("dense weight");
        tensors["net.embedding.task_table"].GetProperty("role").GetString().Should().StartWith("embedding table");
    }

    [Fact]
    public async Task Stem_export_writes_the_three_files_and_refuses_an_existing_directory_without_overwrite()
    {
        var output = Path.Combine(_dir, "export");

        var first = await Stem.SucceedAsync("export", trained.Artifact, "-o", output, "--json");
        first.Json().GetProperty("model").GetString().Should().Be("mmoe");
        Directory.EnumerateFiles(output).Select(Path.GetFileName).Should().BeEquivalentTo(["model.pt", "vocab.json", "export.json"]);
        using (var artifact = await ModelArtifact.LoadAsync(trained.Artifact))
        {
            var read = PyTorchExport.ReadStateDict(Path.Combine(output, "model.pt"));
            foreach (var (name, tensor) in artifact.Model.TorchModule.state_dict())
            {
                read[name].eq(tensor).all().item<bool>().Should().BeTrue(name);
            }
        }

        var before = File.ReadAllBytes(Path.Combine(output, "vocab.json"));
        var again = await Stem.RunAsync("export", trained.Artifact, "-o", output);
        again.ExitCode.Should().Be(2);
        again.ErrorLine.Should().Be($"stem: error: --output: '{output}' already exists; give --overwrite to replace it");
        File.ReadAllBytes(Path.Combine(output, "vocab.json")).Should().Equal(before);

        await Stem.SucceedAsync("export", trained.Artifact, "-o", output, "--overwrite");
        File.ReadAllBytes(Path.Combine(output, "vocab.json")).Should().Equal(before, "the same artifact exports the same vocabulary");
        Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Should().Equal(["export"], "no partial directory is left beside it");
    }

    [Fact]
    public async Task Stem_export_of_a_missing_artifact_is_a_data_error_naming_it()
    {
        var missing = Path.Combine(_dir, "nothing-here");

        var result = await Stem.RunAsync("export", missing, "-o", Path.Combine(_dir, "export"));

        result.ExitCode.Should().Be(1);
        result.ErrorLine.Should().StartWith($"stem: error: {missing}: no model artifact here");
        Directory.Exists(Path.Combine(_dir, "export")).Should().BeFalse();
    }

    [PythonTorchFact]
    public void Python_torch_loads_the_state_dict()
    {
        using var artifact = TrainedStemNet();
        var output = Path.Combine(_dir, "export");
        PyTorchExport.Export(artifact, output);
        var script = $$"""
            import torch, json
            state = torch.load({{JsonSerializer.Serialize(Path.Combine(output, "model.pt"))}}, weights_only=True)
            print(json.dumps({k: [list(v.shape), float(v.double().sum())] for k, v in state.items()}))
            """;
        var (code, stdout, stderr) = PythonTorchFactAttribute.Run(script);
        code.Should().Be(0, stderr);
        using var loaded = JsonDocument.Parse(stdout);
        foreach (var (name, tensor) in artifact.Model.TorchModule.state_dict())
        {
            var entry = loaded.RootElement.GetProperty(name);
            entry[0].EnumerateArray().Select(d => d.GetInt64()).Should().Equal(tensor.shape, name);
            entry[1].GetDouble().Should().BeApproximately(tensor.to(ScalarType.Float64).sum().item<double>(), 1e-9, name);
        }
    }

    private static ulong Fnv1a(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash ^= c;
            hash *= 1099511628211UL;
        }

        return hash;
    }
}

/// <summary>A fact that needs <c>python3</c> with PyTorch; skipped, saying so, where <c>import torch</c> fails.</summary>
public sealed class PythonTorchFactAttribute : FactAttribute
{
    private static readonly Lazy<bool> Available = new(() =>
    {
        try
        {
            return Run("import torch").Code == 0;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    });

    public PythonTorchFactAttribute()
    {
        if (!Available.Value)
        {
            Skip = "python3 with PyTorch is not installed here (python3 -c \"import torch\" failed); the round trip through PyBridge's loader covers the format";
        }
    }

    public static (int Code, string Stdout, string Stderr) Run(string script)
    {
        var start = new ProcessStartInfo("python3") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr);
    }
}
