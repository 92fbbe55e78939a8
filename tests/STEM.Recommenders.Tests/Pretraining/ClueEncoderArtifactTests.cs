using System.Text.Json.Nodes;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Pretraining;

public sealed class ClueEncoderArtifactTests : IDisposable
{
    private readonly string _dir = TestPaths.TempDirectory();
    private readonly ClueDataSplits _data = ClueTestData.Splits();

    public void Dispose()
    {
        _data.Dispose();
        TestPaths.Delete(_dir);
    }

    private static readonly PretextMetrics HeldOut = new(2.25, 0.125, 0.5, 32, 16);

    private ClueEncoderArtifact Create(ItemEncoderKind kind = ItemEncoderKind.Mean)
    {
        var (encoder, loss) = ClueTestData.Build(_data, encoder: ClueTestData.TinyEncoder() with { ItemEncoder = kind });
        loss.Dispose();
        return ClueEncoderArtifact.Create(encoder, _data.Vocabulary, _data.Log.Options, HeldOut);
    }

    /// <summary>A saved artifact's directory.</summary>
    private async Task<string> SavedAsync(string name = "encoder")
    {
        using var artifact = Create();
        var path = Path.Combine(_dir, name);
        await artifact.SaveAsync(path);
        return path;
    }

    [Theory]
    [InlineData(ItemEncoderKind.Mean)]
    [InlineData(ItemEncoderKind.Transformer)]
    public async Task A_saved_and_loaded_artifact_embeds_every_user_identically(ItemEncoderKind kind)
    {
        using var users = _data.Log.EncodeAll(_data.Vocabulary);
        using var artifact = Create(kind);
        var path = Path.Combine(_dir, "round-trip");
        await artifact.SaveAsync(path);
        var before = artifact.Embed(users);

        using var loaded = await ClueEncoderArtifact.LoadAsync(path);
        var after = loaded.Embed(users);

        File.Exists(Path.Combine(path, ClueEncoderArtifact.MetadataFile)).Should().BeTrue();
        File.Exists(Path.Combine(path, ClueEncoderArtifact.VocabularyFile)).Should().BeTrue();
        File.Exists(Path.Combine(path, ClueEncoderArtifact.WeightsFile)).Should().BeTrue();
        after.Keys.Should().Equal(before.Keys);
        after.Dimension.Should().Be(8);
        after.Values.Length.Should().Be(users.Count * 8);
        after.Values.SequenceEqual(before.Values).Should().BeTrue("the loaded weights are the saved ones");
        loaded.Encoder.training.Should().BeFalse();
        ClueTestData.MaxDifference(artifact.Encoder, loaded.Encoder).Should().Be(0);

        var metadata = loaded.Metadata;
        metadata.FormatVersion.Should().Be(ClueEncoderArtifact.CurrentFormatVersion);
        metadata.Options.Should().Be(artifact.Encoder.Options);
        metadata.TokensPerItem.Should().Be(_data.Log.Options.MaxTokensPerItem);
        metadata.VocabularySize.Should().Be(_data.Vocabulary.Count);
        metadata.VocabularyHash.Should().Be(_data.Vocabulary.ContentHash);
        metadata.HeldOut.Should().Be(HeldOut);
        metadata.Sequences!.MaxLength.Should().Be(ClueTestData.MaxLength);
        metadata.Sequences.Tokens.Select(t => t.Name).Should().Equal("item_id", "category", "is_click");
        loaded.Vocabulary.Tokens.Should().Equal(_data.Vocabulary.Tokens);
    }

    [Fact]
    public void Embed_gives_each_user_the_encoders_vector_in_any_batch_size()
    {
        using var users = _data.Log.EncodeAll(_data.Vocabulary);
        using var artifact = Create();
        var expected = ClueTestData.Forward(artifact.Encoder, users);
        artifact.Encoder.train();

        var vectors = artifact.Embed(users, batchSize: 37);

        vectors.Count.Should().Be(users.Count);
        vectors.Keys.Should().Equal(users.UserKeys);
        users.Count.Should().Be(_data.Log.Users.Count, "every synthetic user has an event");
        var maxDifference = expected.Zip(vectors.Values, (a, b) => Math.Abs(a - b)).Max();
        maxDifference.Should().BeLessThan(1e-5f);
        for (var i = 0; i < vectors.Count; i += 50)
        {
            var norm = Math.Sqrt(vectors[i].ToArray().Sum(x => (double)x * x));
            norm.Should().BeApproximately(1, 1e-4, "user vectors are L2-normalised");
        }

        vectors.ColumnNames().Should().Equal(Enumerable.Range(0, 8).Select(j => $"clue_{j}"));
        artifact.Encoder.training.Should().BeFalse("Embed runs in inference mode");
    }

    [Fact]
    public void Create_refuses_a_vocabulary_of_another_size()
    {
        manual_seed(1);
        var encoder = new ClueEncoder("clue", _data.Vocabulary.Count + 1, _data.Log.Options.MaxTokensPerItem, ClueTestData.TinyEncoder());
        using var _ = encoder;
        var act = () => ClueEncoderArtifact.Create(encoder, _data.Vocabulary, _data.Log.Options);
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain($"{_data.Vocabulary.Count + 1} token rows").And.Contain($"{_data.Vocabulary.Count} tokens");
    }

    [Fact]
    public async Task Loading_a_missing_directory_names_it()
    {
        var path = Path.Combine(_dir, "absent");
        var act = () => ClueEncoderArtifact.LoadAsync(path);
        (await act.Should().ThrowAsync<FileNotFoundException>()).Which.Message.Should().Contain(path).And.Contain("encoder.json");
    }

    [Theory]
    [InlineData("encoder.json")]
    [InlineData("vocabulary.json")]
    [InlineData("encoder.bin")]
    public async Task A_missing_file_names_the_directory_and_the_file(string file)
    {
        var path = await SavedAsync();
        File.Delete(Path.Combine(path, file));
        await ShouldFail(path, file);
    }

    [Fact]
    public async Task A_vocabulary_of_another_log_is_refused_by_its_hash()
    {
        var path = await SavedAsync();
        using var other = ClueTestData.Splits(users: 300, seed: 99);
        other.Vocabulary.ContentHash.Should().NotBe(_data.Vocabulary.ContentHash);
        await File.WriteAllTextAsync(Path.Combine(path, "vocabulary.json"), other.Vocabulary.ToJson());

        var message = await ShouldFail(path, "vocabulary.json");
        message.Should().Contain("another vocabulary").And.Contain(_data.Vocabulary.ContentHash[..12]).And.Contain(other.Vocabulary.ContentHash[..12]);
    }

    [Fact]
    public async Task An_edited_vocabulary_fails_its_own_hash_check()
    {
        var path = await SavedAsync();
        var file = Path.Combine(path, "vocabulary.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
        json["tokens"]!.AsArray()[0] = "edited";
        await File.WriteAllTextAsync(file, json.ToJsonString());

        var message = await ShouldFail(path, "vocabulary.json");
        message.Should().Contain("content hash");
    }

    [Fact]
    public async Task A_weight_shape_changed_in_the_metadata_names_the_weight()
    {
        var path = await SavedAsync();
        await EditMetadata(path, m => m["weights"]!["projection.weight"] = new JsonArray(8, 9));

        var message = await ShouldFail(path, "projection.weight");
        message.Should().Contain("[8, 9]").And.Contain("[8, 8]").And.Contain("encoder.json");
    }

    [Fact]
    public async Task A_weight_missing_from_the_metadata_is_named()
    {
        var path = await SavedAsync();
        await EditMetadata(path, m => m["weights"]!.AsObject().Remove("projection.bias"));

        var message = await ShouldFail(path, "projection.bias");
        message.Should().Contain("lacks weight");
    }

    [Fact]
    public async Task An_extra_weight_in_the_metadata_is_named()
    {
        var path = await SavedAsync();
        await EditMetadata(path, m => m["weights"]!["surplus.weight"] = new JsonArray(3));

        var message = await ShouldFail(path, "surplus.weight");
        message.Should().Contain("does not");
    }

    [Fact]
    public async Task Options_that_rebuild_another_encoder_name_the_weight_that_differs()
    {
        var path = await SavedAsync();
        await EditMetadata(path, m => m["options"]!["outputDim"] = 4);

        await ShouldFail(path, "projection.weight");
    }

    [Fact]
    public async Task Invalid_options_in_the_metadata_name_the_option()
    {
        var path = await SavedAsync();
        await EditMetadata(path, m => m["options"]!["heads"] = 3);

        var message = await ShouldFail(path, "encoder.json");
        message.Should().Contain("ClueEncoderOptions.Heads");
    }

    [Fact]
    public async Task A_weights_file_with_fewer_bytes_than_its_weights_is_called_truncated()
    {
        var path = await SavedAsync();
        Truncate(Path.Combine(path, "encoder.bin"), keep: 100);

        var message = await ShouldFail(path, "encoder.bin");
        message.Should().Contain("truncated");
    }

    [Fact]
    public async Task A_weights_file_cut_by_a_few_bytes_names_the_file()
    {
        var path = await SavedAsync();
        var weights = Path.Combine(path, "encoder.bin");
        Truncate(weights, keep: new FileInfo(weights).Length - 3);

        await ShouldFail(path, "encoder.bin");
    }

    [Fact]
    public async Task Malformed_metadata_json_names_the_file()
    {
        var path = await SavedAsync();
        await File.WriteAllTextAsync(Path.Combine(path, "encoder.json"), "{ \"formatVersion\": 1, ");

        var message = await ShouldFail(path, "encoder.json");
        message.Should().Contain("invalid");
    }

    [Fact]
    public async Task Malformed_vocabulary_json_names_the_file()
    {
        var path = await SavedAsync();
        await File.WriteAllTextAsync(Path.Combine(path, "vocabulary.json"), "[1, 2");

        await ShouldFail(path, "vocabulary.json");
    }

    [Fact]
    public async Task Another_format_version_is_refused()
    {
        var path = await SavedAsync();
        await EditMetadata(path, m => m["formatVersion"] = 2);

        var message = await ShouldFail(path, "format version 2");
        message.Should().Contain($"version {ClueEncoderArtifact.CurrentFormatVersion}");
    }

    [Fact]
    public async Task Metadata_without_options_is_refused()
    {
        var path = await SavedAsync();
        await EditMetadata(path, m => m.Remove("options"));

        var message = await ShouldFail(path, "encoder.json");
        message.Should().Contain("lacks options");
    }

    /// <summary>Loading must fail with an InvalidDataException naming the directory and the entry.</summary>
    private static async Task<string> ShouldFail(string directory, string entry)
    {
        var act = () => ClueEncoderArtifact.LoadAsync(directory);
        var message = (await act.Should().ThrowAsync<InvalidDataException>()).Which.Message;
        message.Should().StartWith(directory + ":").And.Contain(entry);
        return message;
    }

    private static async Task EditMetadata(string directory, Action<JsonObject> edit)
    {
        var file = Path.Combine(directory, "encoder.json");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(file))!.AsObject();
        edit(json);
        await File.WriteAllTextAsync(file, json.ToJsonString());
    }

    private static void Truncate(string file, long keep)
    {
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Write);
        stream.SetLength(keep);
    }
}
