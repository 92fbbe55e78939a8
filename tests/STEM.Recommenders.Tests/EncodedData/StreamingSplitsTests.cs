using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.EncodedData;

public class StreamingSplitsTests
{
    private static KuaiRandOptions SampleOptions(string? log = null) => new()
    {
        LogPath = log ?? TestPaths.Sample("log.csv.gz"),
        UserFeaturesPath = TestPaths.Sample("user_features.csv.gz"),
        VideoFeaturesPath = TestPaths.Sample("video_features.csv.gz"),
    };

    [Fact]
    public async Task KuaiRand_streamed_into_a_cache_encodes_what_the_in_memory_path_encodes_and_is_reused_until_a_file_changes()
    {
        var log = Path.Combine(TestPaths.TempDirectory(), "log.csv.gz");
        File.Copy(TestPaths.Sample("log.csv.gz"), log);
        var memory = (await KuaiRandPreset.LoadAsync(SampleOptions(log))).Encode();
        var directory = Path.Combine(TestPaths.TempDirectory(), "cache");
        var streaming = await KuaiRandPreset.StreamAsync(SampleOptions(log), chunkRows: 1500);

        using var built = await streaming.BuildCacheAsync(directory, shardRows: 700);

        built.Reused.Should().BeFalse();
        built.Pipeline.ToJson().Should().Be(memory.Pipeline.ToJson());
        built.Train.RowCount.Should().Be(memory.Train.Count).And.Be(12715);
        built.Validation.RowCount.Should().Be(3662);
        built.Test.RowCount.Should().Be(3630);
        built.Train.Manifest.Sources.Select(s => Path.GetFileName(s.Path)).Should().Equal("log.csv.gz", "user_features.csv.gz", "video_features.csv.gz");
        built.Test.GroupKeys.Should().Equal(memory.Test.GroupKeys);
        foreach (var (cached, encoded) in new[] { ((IBatchSource)built.Train, memory.Train), (built.Test, memory.Test) })
        {
            using var a = cached.StartEpoch(4096, shuffle: false);
            using var e = encoded.StartEpoch(4096, shuffle: false);
            for (var step = 0; step < a.StepCount; step++)
            {
                using var scope = NewDisposeScope();
                var x = a.GetBatch(step);
                var y = e.GetBatch(step);
                x.Features.Ids.equal(y.Features.Ids).all().item<bool>().Should().BeTrue();
                x.Features.SlotWeights!.allclose(y.Features.SlotWeights!, 0, 0).Should().BeTrue();
                x.Labels.allclose(y.Labels, 0, 0).Should().BeTrue();
                x.GroupIds!.equal(y.GroupIds!).all().item<bool>().Should().BeTrue();
            }
        }

        using (var again = await (await KuaiRandPreset.StreamAsync(SampleOptions(log))).BuildCacheAsync(directory))
        {
            again.Reused.Should().BeTrue();
            again.Pipeline.ContentHash.Should().Be(built.Pipeline.ContentHash);
        }

        using (var otherSchema = await (await KuaiRandPreset.StreamAsync(SampleOptions(log) with { MinCount = 3 })).BuildCacheAsync(directory))
        {
            otherSchema.Reused.Should().BeFalse("another min-count is another schema");
            otherSchema.Pipeline.ContentHash.Should().NotBe(built.Pipeline.ContentHash);
        }

        File.SetLastWriteTimeUtc(log, DateTime.UtcNow.AddMinutes(1));
        using var rebuilt = await (await KuaiRandPreset.StreamAsync(SampleOptions(log))).BuildCacheAsync(directory);
        rebuilt.Reused.Should().BeFalse();
        memory.Dispose();
    }

    [Fact]
    public async Task KuaiRand_with_user_vectors_streams_the_vectors_the_in_memory_path_joins()
    {
        var vectors = Path.Combine(TestPaths.TempDirectory(), "vectors.csv");
        var users = (await KuaiRandPreset.LoadAsync(SampleOptions())).Train.Column("user_id");
        var distinct = Enumerable.Range(0, users.Count).Select(r => users[r]!).Distinct().Take(500).ToArray();
        await File.WriteAllTextAsync(vectors, "user_id,v0,v1\n" + string.Concat(distinct.Select((u, i) => $"{u},{i * 0.01},{1 - (i * 0.002)}\n")));
        var options = SampleOptions() with { UserVectorsPath = vectors };
        using var memory = (await KuaiRandPreset.LoadAsync(options)).Encode();

        using var cached = await (await KuaiRandPreset.StreamAsync(options, chunkRows: 2000)).BuildCacheAsync(Path.Combine(TestPaths.TempDirectory(), "cache"));

        cached.Pipeline.ToJson().Should().Be(memory.Pipeline.ToJson());
        cached.Train.Manifest.Sources.Select(s => Path.GetFileName(s.Path)).Should().Contain("vectors.csv");
        using var a = cached.Test.StartEpoch(4096, shuffle: false);
        using var e = memory.Test.StartEpoch(4096, shuffle: false);
        for (var step = 0; step < a.StepCount; step++)
        {
            using var scope = NewDisposeScope();
            var x = a.GetBatch(step);
            var y = e.GetBatch(step);
            x.Features.Ids.equal(y.Features.Ids).all().item<bool>().Should().BeTrue();
            x.Features.SlotWeights!.allclose(y.Features.SlotWeights!, 0, 0).Should().BeTrue("the dense vector's weights");
        }
    }

    [Fact]
    public async Task A_cache_build_parses_the_log_once_and_replays_it_for_the_second_pass()
    {
        var counting = new CountingReader();
        var readers = new TableReaderRegistry().Add(counting);
        var memory = (await KuaiRandPreset.LoadAsync(SampleOptions())).Encode();
        var streaming = await KuaiRandPreset.StreamAsync(SampleOptions(), readers, chunkRows: 2000);
        var directory = Path.Combine(TestPaths.TempDirectory(), "cache");

        using var built = await streaming.BuildCacheAsync(directory);

        counting.ChunkReads.Should().Equal(["log.csv.gz"], "pass 2 replays what pass 1 parsed");
        Directory.Exists(Path.Combine(directory, ".pass1")).Should().BeFalse("the recording is scratch space");
        using var a = built.Train.StartEpoch(8192, shuffle: false);
        using var e = memory.Train.StartEpoch(8192, shuffle: false);
        for (var step = 0; step < a.StepCount; step++)
        {
            using var scope = NewDisposeScope();
            a.GetBatch(step).Features.Ids.equal(e.GetBatch(step).Features.Ids).all().item<bool>().Should().BeTrue();
        }

        memory.Dispose();
    }

    private sealed class CountingReader : ITableReader
    {
        private readonly CsvTableReader _csv = new();

        public List<string> ChunkReads { get; } = new();

        public bool CanRead(string path) => _csv.CanRead(path);

        public Task<DataTable> ReadAsync(string path, TableReadRequest? request = null, CancellationToken cancellationToken = default) =>
            _csv.ReadAsync(path, request, cancellationToken);

        public IAsyncEnumerable<DataTable> ReadChunksAsync(string path, TableReadRequest? request = null, int chunkRows = TableReadRequest.DefaultChunkRows, CancellationToken cancellationToken = default)
        {
            lock (ChunkReads)
            {
                ChunkReads.Add(Path.GetFileName(path));
            }

            return _csv.ReadChunksAsync(path, request, chunkRows, cancellationToken);
        }
    }

    [Fact]
    public async Task A_streamed_split_with_no_rows_is_an_error_before_training()
    {
        var streaming = await KuaiRandPreset.StreamAsync(SampleOptions() with { TestDays = [20220601] });

        var act = () => streaming.BuildCacheAsync(Path.Combine(TestPaths.TempDirectory(), "cache"));

        await act.Should().ThrowAsync<DataFormatException>().WithMessage("*: the test split has no rows; check the days or files that select it");
    }

    [Fact]
    public async Task An_in_memory_split_with_no_rows_is_the_same_error_before_anything_is_fitted()
    {
        var splits = await KuaiRandPreset.LoadAsync(SampleOptions() with { ValidationDays = [20220601], TestDays = [20220602] });

        var act = () => splits.Encode();

        act.Should().Throw<DataFormatException>().WithMessage("*log.csv.gz: the validation split has no rows; check the days or files that select it");
    }

    [Fact]
    public async Task An_experiment_trained_from_the_cache_reports_the_metrics_of_the_in_memory_run()
    {
        var json = $$"""
            {
              "data": {
                "preset": "kuairand",
                "train": "{{TestPaths.Sample("log.csv.gz")}}",
                "users": "{{TestPaths.Sample("user_features.csv.gz")}}",
                "videos": "{{TestPaths.Sample("video_features.csv.gz")}}"
              },
              "model": { "model": "stem-net", "embeddingDim": 4, "sharedExperts": 1, "expertUnits": [16], "gateUnits": [8], "towerUnits": [8] },
              "training": { "epochs": 1, "batchSize": 512, "shuffle": false, "seed": 3 },
              "runtime": { "device": "cpu" }
            }
            """;
        var config = ExperimentConfigLoader.Parse(json);
        var runner = new ExperimentRunner();

        var inMemory = await runner.TrainAsync(config);
        var cache = Path.Combine(TestPaths.TempDirectory(), "cache");
        var fromCache = await runner.TrainAsync(config with { Data = config.Data with { Cache = cache, CacheChunkRows = 3000 } });

        File.Exists(Path.Combine(cache, "pipeline.json")).Should().BeTrue();
        Directory.GetFiles(Path.Combine(cache, "train"), "*.ids").Should().HaveCount(5, "12,715 training rows in shards of 3,000");
        fromCache.Report.Test.Tasks.Select(t => t.Auc).Should().Equal(inMemory.Report.Test.Tasks.Select(t => t.Auc));
        fromCache.Report.Test.Tasks.Select(t => t.GAuc).Should().Equal(inMemory.Report.Test.Tasks.Select(t => t.GAuc));
        fromCache.Report.Validation.MeanAuc.Should().Be(inMemory.Report.Validation.MeanAuc);
    }
}
