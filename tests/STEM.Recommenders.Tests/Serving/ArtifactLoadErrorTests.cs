using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using TorchSharp;

namespace STEM.Recommenders.Tests.Serving;

/// <summary>
/// Every way an artifact can be broken is an <see cref="InvalidDataException"/> that names the
/// artifact as given and the file or tensor at fault, found before anything is trusted.
/// </summary>
public sealed class ArtifactLoadErrorTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();
    private readonly string _artifact;
    private readonly string _firstTensor;

    public ArtifactLoadErrorTests()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        torch.manual_seed(3);
        _artifact = Path.Combine(_dir, "model");
        using var artifact = ModelArtifact.Create(new Mmoe(data.Pipeline.Layout, data.Pipeline.TaskNames, (MmoeOptions)TinyData.Small(Mmoe.Name)), data.Pipeline);
        artifact.SaveAsync(_artifact).GetAwaiter().GetResult();
        _firstTensor = artifact.Model.TorchModule.state_dict().Keys.First();
    }

    public void Dispose() => TestPaths.Delete(_dir);

    private string Weights => Path.Combine(_artifact, ModelArtifact.WeightsFile);

    private static async Task<string> ErrorOf(string path)
    {
        var act = () => ModelArtifact.LoadAsync(path);
        return (await act.Should().ThrowAsync<InvalidDataException>()).Which.Message;
    }

    // The first tensor's record: [count][name length][name][dtype][rank][dims...][data].
    private int DtypeOffset => 2 + Encoding.UTF8.GetByteCount(_firstTensor);

    private void Patch(Action<byte[]> change)
    {
        var bytes = File.ReadAllBytes(Weights);
        change(bytes);
        File.WriteAllBytes(Weights, bytes);
    }

    [Fact]
    public async Task A_truncated_weights_file_names_the_tensor_it_ends_in()
    {
        var bytes = File.ReadAllBytes(Weights);
        File.WriteAllBytes(Weights, bytes[..(DtypeOffset + 20)]);

        (await ErrorOf(_artifact)).Should().MatchRegex($"^{Escape(_artifact)}: weights.bin: tensor '{Escape(_firstTensor)}' needs \\d+ bytes but the file ends after \\d+ \\(it is truncated\\)\\.$");
    }

    [Fact]
    public async Task An_empty_weights_file_says_so()
    {
        File.WriteAllBytes(Weights, []);

        (await ErrorOf(_artifact)).Should().Be($"{_artifact}: weights.bin: the file ends inside the tensor count (it is truncated or empty).");
    }

    [Fact]
    public async Task A_header_claiming_two_to_the_forty_tensors_is_refused_before_reading_any()
    {
        var bytes = File.ReadAllBytes(Weights);
        byte[] huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x20]; // LEB128 of 2^40
        File.WriteAllBytes(Weights, [.. huge, .. bytes[1..]]);

        (await ErrorOf(_artifact)).Should().StartWith($"{_artifact}: weights.bin: it holds 1099511627776 tensors but the model has ");
    }

    [Fact]
    public async Task A_renamed_tensor_names_both_names()
    {
        Patch(b => b[DtypeOffset - 1] ^= 0x01);
        var renamed = _firstTensor[..^1] + (char)(_firstTensor[^1] ^ 0x01);

        (await ErrorOf(_artifact)).Should().Be($"{_artifact}: weights.bin: tensor 0 is named '{renamed}', which the model does not have (it lacks '{_firstTensor}').");
    }

    [Fact]
    public async Task A_wrong_dtype_names_the_tensor_and_both_dtypes()
    {
        Patch(b => b[DtypeOffset] = (byte)torch.ScalarType.Float64);

        (await ErrorOf(_artifact)).Should().Be($"{_artifact}: weights.bin: tensor '{_firstTensor}' is Float64 in the file but Float32 in the model.");
    }

    [Fact]
    public async Task A_wrong_shape_names_the_tensor_and_both_shapes()
    {
        Patch(b =>
        {
            b[DtypeOffset + 2].Should().BeLessThan(0x7F, "a one-byte dimension");
            b[DtypeOffset + 2] += 1;
        });

        (await ErrorOf(_artifact)).Should().MatchRegex($"^{Escape(_artifact)}: weights.bin: tensor '{Escape(_firstTensor)}' has shape \\[\\d+, \\d+\\] in the file but \\[\\d+, \\d+\\] in the model\\.$");
    }

    [Fact]
    public async Task A_non_finite_weight_is_found_at_load()
    {
        Patch(b => BitConverter.GetBytes(float.NaN).CopyTo(b, DtypeOffset + 4 + 8));

        (await ErrorOf(_artifact)).Should().Be($"{_artifact}: weights.bin: tensor '{_firstTensor}' holds a non-finite value (NaN or infinity) at element 2.");
    }

    [Fact]
    public async Task An_unknown_model_name_lists_the_catalog()
    {
        EditJson(ModelArtifact.MetadataFile, j => j["modelName"] = "deepfm");

        (await ErrorOf(_artifact)).Should().StartWith($"{_artifact}: artifact.json: the model 'deepfm' is not in the catalog (models: stem-net, ");
    }

    [Fact]
    public async Task Another_models_options_are_refused()
    {
        File.WriteAllText(Path.Combine(_artifact, ModelArtifact.OptionsFile), """{"model": "ple", "embeddingDim": 4}""");

        (await ErrorOf(_artifact)).Should().Be($"{_artifact}: model.json holds the options of ple but artifact.json names the model mmoe.");
    }

    [Fact]
    public async Task Invalid_options_name_the_option()
    {
        EditJson(ModelArtifact.OptionsFile, j => j["experts"] = 0);
        EditJson(ModelArtifact.MetadataFile, j => j["files"]!["model.json"] = 1000);

        (await ErrorOf(_artifact)).Should().Be($"{_artifact}: model.json: MmoeOptions.Experts must be in [1, 1024].");
    }

    [Fact]
    public async Task A_zip_entry_larger_than_artifact_json_records_is_refused_before_it_is_read()
    {
        var pipeline = Path.Combine(_artifact, ModelArtifact.PipelineFile);
        File.WriteAllText(pipeline, File.ReadAllText(pipeline) + new string(' ', 1 << 20));
        var zip = Zip("big.stem");

        (await ErrorOf(zip)).Should().MatchRegex($"^{Escape(zip)}: pipeline.json is \\d+ bytes, more than the \\d+ that artifact.json allows for it\\.$");
    }

    [Fact]
    public async Task Duplicate_and_unexpected_zip_entries_are_errors_that_name_the_stem_file()
    {
        var duplicate = Zip("duplicate.stem", a => a.CreateEntry(ModelArtifact.MetadataFile));
        var unexpected = Zip("unexpected.stem", a => a.CreateEntry("../evil.sh"));

        (await ErrorOf(duplicate)).Should().Be($"{duplicate}: the entry 'artifact.json' appears twice.");
        (await ErrorOf(unexpected)).Should().Be($"{unexpected}: unexpected entry '../evil.sh'; an artifact holds artifact.json, model.json, pipeline.json, weights.bin only.");
    }

    [Fact]
    public async Task Errors_in_a_zip_name_the_stem_file_not_a_temporary_folder_and_nothing_is_extracted()
    {
        File.WriteAllBytes(Weights, File.ReadAllBytes(Weights)[..(DtypeOffset + 20)]);
        var zip = Zip("truncated.stem");
        var before = Directory.GetDirectories(Path.GetTempPath(), "stem-artifact-*").Length;

        (await ErrorOf(zip)).Should().StartWith($"{zip}: weights.bin: tensor '{_firstTensor}' needs ");
        Directory.GetDirectories(Path.GetTempPath(), "stem-artifact-*").Length.Should().Be(before);
    }

    [Fact]
    public async Task An_intact_zip_still_loads()
    {
        var zip = Zip("ok.stem");

        using var loaded = await ModelArtifact.LoadAsync(zip);

        loaded.Metadata.Files!.Keys.Should().BeEquivalentTo(ModelArtifact.OptionsFile, ModelArtifact.PipelineFile, ModelArtifact.WeightsFile);
    }

    private string Zip(string name, Action<ZipArchive>? change = null)
    {
        var path = Path.Combine(_dir, name);
        ZipFile.CreateFromDirectory(_artifact, path);
        if (change is not null)
        {
            using var archive = ZipFile.Open(path, ZipArchiveMode.Update);
            change(archive);
        }

        return path;
    }

    private void EditJson(string file, Action<JsonNode> change)
    {
        var path = Path.Combine(_artifact, file);
        var node = JsonNode.Parse(File.ReadAllText(path))!;
        change(node);
        File.WriteAllText(path, node.ToJsonString());
    }

    private static string Escape(string text) => System.Text.RegularExpressions.Regex.Escape(text);
}
