using System.Globalization;
using System.Text;
using STEM.Recommenders.Data;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.EncodedData;

public class EncodedCacheTests
{
    /// <summary>Every feature kind, a missing-label task and groups: what a cache must carry exactly.</summary>
    private static (FeatureSchema Schema, DataTable Table) RichTable(int rows = 500, int seed = 1)
    {
        var random = new Random(seed);
        var text = new StringBuilder("row,user,city,age,income,tags,click,like\n");
        for (var r = 0; r < rows; r++)
        {
            var tags = string.Join(',', Enumerable.Range(0, random.Next(0, 4)).Select(_ => $"t{random.Next(12)}"));
            var age = random.Next(10) == 0 ? string.Empty : (18 + random.Next(60)).ToString(CultureInfo.InvariantCulture);
            var like = random.Next(5) == 0 ? string.Empty : random.Next(2).ToString(CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{r},u{random.Next(40)},c{random.Next(7)},{age},{random.NextDouble() * 1000:F3},\"{tags}\",{random.Next(2)},{like}\n");
        }

        var schema = new FeatureSchema
        {
            Features =
            [
                new CategoricalFeature { Name = "row" },
                new CategoricalFeature { Name = "user", MinCount = 2 },
                new CategoricalFeature { Name = "city", TaskSpecific = false },
                new NumericFeature { Name = "age" },
                new NumericFeature { Name = "income_bucket", Column = "income", Buckets = 5 },
                new MultiValueFeature { Name = "tags", MaxLength = 3, TaskSpecific = false },
            ],
            Tasks = [new TaskSpec { Name = "click", AllowMissing = false }, new TaskSpec { Name = "like" }],
            GroupColumn = "user",
        };
        return (schema, CsvTableReader.Parse(text.ToString(), "rich.csv"));
    }

    private static async IAsyncEnumerable<DataTable> Chunks(DataTable table, int size)
    {
        for (var start = 0; start < table.RowCount; start += size)
        {
            await Task.Yield();
            yield return table.Select(Enumerable.Range(start, Math.Min(size, table.RowCount - start)).ToArray());
        }
    }

    private static string SourceFile(string content = "x")
    {
        var path = Path.Combine(TestPaths.TempDirectory(), "source.csv");
        File.WriteAllText(path, content);
        return path;
    }

    private static async Task<string> BuildCache(FeaturePipeline pipeline, DataTable table, DatasetRole role, int chunkRows = 50, int shardRows = 64, string? source = null)
    {
        var directory = Path.Combine(TestPaths.TempDirectory(), "cache");
        using var builder = new EncodedCacheBuilder(pipeline, directory, role, shardRows);
        await foreach (var chunk in Chunks(table, chunkRows))
        {
            builder.Append(chunk);
        }

        builder.Complete([source ?? SourceFile()]);
        return directory;
    }

    [Theory]
    [InlineData(1)]
    [InlineData(37)]
    [InlineData(500)]
    public async Task A_streaming_fit_over_chunks_equals_the_in_memory_fit(int chunkRows)
    {
        var (schema, table) = RichTable();

        var streamed = await FeaturePipeline.FitAsync(schema, Chunks(table, chunkRows));

        streamed.ToJson().Should().Be(FeaturePipeline.Fit(schema, table).ToJson());
        streamed.ContentHash.Should().Be(FeaturePipeline.Fit(schema, table).ContentHash).And.HaveLength(64);
    }

    [Fact]
    public async Task Joined_side_columns_fit_and_encode_per_side_row_across_chunks_with_the_in_memory_results_and_errors()
    {
        var side = CsvTableReader.Parse("item,kind,seconds\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},k{i % 3},{i * 7}\n")), "items.csv");
        var log = CsvTableReader.Parse("item,click\n" + string.Concat(Enumerable.Range(0, 90).Select(i => $"{(i * 7) % 23},{i % 2}\n")), "log.csv");
        var schema = new FeatureSchema
        {
            Features =
            [
                new CategoricalFeature { Name = "item", MinCount = 2 },
                new CategoricalFeature { Name = "kind" },
                new CategoricalFeature { Name = "minutes", Column = "seconds", Transform = ValueTransform.FloorDivide(60) },
            ],
            Tasks = [new TaskSpec { Name = "click" }],
        };
        var index = side.IndexBy("item");
        async IAsyncEnumerable<DataTable> Joined(DataTable table, int size)
        {
            await foreach (var chunk in Chunks(table, size))
            {
                yield return chunk.LeftJoin(index, "item");
            }
        }

        var whole = log.LeftJoin(side, "item");
        var memory = FeaturePipeline.Fit(schema, whole);
        var streamed = await FeaturePipeline.FitAsync(schema, Joined(log, 10));
        streamed.ToJson().Should().Be(memory.ToJson());
        using var expected = memory.Encode(whole);
        var ids = new List<long>();
        await foreach (var chunk in Joined(log, 10))
        {
            using var scope = NewDisposeScope();
            ids.AddRange(streamed.EncodeFeatures(chunk).Ids.data<long>().ToArray());
        }

        ids.Should().Equal(expected.Ids.data<long>().ToArray());

        // A bad value in a side row first reached by a later chunk is reported as the in-memory fit reports it.
        var badSide = CsvTableReader.Parse("item,kind,seconds\n" + string.Concat(Enumerable.Range(0, 20).Select(i => $"{i},k{i % 3},{(i == 9 ? "soon" : (i * 7).ToString(CultureInfo.InvariantCulture))}\n")), "items.csv");
        index = badSide.IndexBy("item");
        var inMemory = () => FeaturePipeline.Fit(schema, log.LeftJoin(badSide, "item"));
        var streaming = () => FeaturePipeline.FitAsync(schema, Joined(log, 10));
        var message = inMemory.Should().Throw<DataFormatException>().Which.Message;
        message.Should().Be("items.csv, line 11, column seconds: 'soon' is not a number (feature 'minutes')");
        (await streaming.Should().ThrowAsync<DataFormatException>()).Which.Message.Should().Be(message);
    }

    [Fact]
    public async Task A_streaming_fit_with_no_rows_is_an_error_naming_the_source()
    {
        var (schema, table) = RichTable(rows: 3);

        var act = () => FeaturePipeline.FitAsync(schema, Chunks(table.Select([]), 10).Append(table.Select([])));

        await act.Should().ThrowAsync<DataFormatException>().WithMessage("rich.csv: the training table has no rows");
    }

    [Fact]
    public async Task A_cache_delivers_exactly_the_rows_of_the_in_memory_encoding()
    {
        var (schema, table) = RichTable();
        var pipeline = FeaturePipeline.Fit(schema, table);
        using var memory = pipeline.Encode(table, DatasetRole.Train);
        using var cache = EncodedCache.Open(await BuildCache(pipeline, table, DatasetRole.Train), pipeline.ContentHash);

        cache.RowCount.Should().Be(500);
        cache.Role.Should().Be(DatasetRole.Train);
        cache.Manifest.Shards.Select(s => s.Rows).Should().Equal(64, 64, 64, 64, 64, 64, 64, 52);
        cache.Manifest.HasLabelMask.Should().BeTrue();
        cache.Manifest.IdBytes.Should().Be(4);
        cache.Manifest.WeightSlots.Should().Equal(pipeline.WeightedSlots);
        cache.Layout.Fields.Should().Equal(pipeline.Layout.Fields);
        cache.GroupKeys.Should().Equal(memory.GroupKeys);

        using var expected = memory.StartEpoch(30, shuffle: false);
        using var actual = cache.StartEpoch(30, shuffle: false);
        actual.StepCount.Should().Be(expected.StepCount).And.Be(17);
        for (var step = 0; step < actual.StepCount; step++)
        {
            using var scope = NewDisposeScope();
            var a = actual.GetBatch(step);
            var e = expected.GetBatch(step);
            a.Features.Ids.dtype.Should().Be(ScalarType.Int64);
            Same(a.Features.Ids, e.Features.Ids).Should().BeTrue($"ids of step {step}");
            Same(a.Features.SlotWeights!, e.Features.SlotWeights!).Should().BeTrue($"weights of step {step}");
            Same(a.Labels, e.Labels).Should().BeTrue();
            Same(a.LabelMask!, e.LabelMask!).Should().BeTrue();
            Same(a.GroupIds!, e.GroupIds!).Should().BeTrue();
        }
    }

    [Fact]
    public async Task A_shuffled_epoch_visits_every_row_once_in_an_order_fixed_by_the_generator()
    {
        var (schema, table) = RichTable();
        var pipeline = FeaturePipeline.Fit(schema, table);
        using var cache = EncodedCache.Open(await BuildCache(pipeline, table, DatasetRole.Train), windowShards: 3);

        long[] Order(ulong seed)
        {
            using var generator = new Generator(seed);
            using var epoch = cache.StartEpoch(64, shuffle: true, generator);
            var rows = new List<long>();
            for (var step = 0; step < epoch.StepCount; step++)
            {
                using var scope = NewDisposeScope();
                rows.AddRange(epoch.GetBatch(step).Features.Ids.select(1, 0).data<long>().ToArray());
            }

            return rows.ToArray();
        }

        var first = Order(7);
        first.Order().Should().Equal(Enumerable.Range(1, 500).Select(i => (long)i), "the 'row' field has one id per row, 1..500");
        first.Should().NotBeInAscendingOrder();
        Order(7).Should().Equal(first);
        Order(8).Should().NotEqual(first);
    }

    [Fact]
    public async Task Training_from_the_cache_without_shuffling_equals_training_in_memory()
    {
        var splits = SyntheticMultiTaskGenerator.GenerateSplits(new SyntheticOptions { Rows = 900, Tasks = 2, Dimensions = 6, Seed = 5, Correlation = 0.5 });
        using var memory = splits.Encode();
        using var train = EncodedCache.Open(await BuildCache(memory.Pipeline, splits.Train, DatasetRole.Train, chunkRows: 100, shardRows: 128));
        using var validation = EncodedCache.Open(await BuildCache(memory.Pipeline, splits.Validation, DatasetRole.Validation));
        var options = new TrainerOptions { Epochs = 2, BatchSize = 50, Shuffle = false, Optimizer = new OptimizerOptions { LearningRate = 3e-3 } };

        using var inMemory = Model(memory.Pipeline);
        var a = new Trainer(options).Fit(inMemory, memory.Train, memory.Validation);
        using var fromCache = Model(memory.Pipeline);
        var b = new Trainer(options).Fit(fromCache, train, validation);

        b.Best!.MonitorValue.Should().Be(a.Best!.MonitorValue);
        SameWeights(fromCache, inMemory);
    }

    [Fact]
    public async Task A_run_resumed_mid_epoch_from_the_cache_ends_with_the_weights_of_an_uninterrupted_run()
    {
        var splits = SyntheticMultiTaskGenerator.GenerateSplits(new SyntheticOptions { Rows = 900, Tasks = 2, Dimensions = 6, Seed = 5, Correlation = 0.5 });
        var pipeline = FeaturePipeline.Fit(splits.Schema, splits.Train);
        using var train = EncodedCache.Open(await BuildCache(pipeline, splits.Train, DatasetRole.Train, shardRows: 64), windowShards: 2);
        using var validation = EncodedCache.Open(await BuildCache(pipeline, splits.Validation, DatasetRole.Validation));
        TrainerOptions Options(string directory) => new() { Epochs = 3, BatchSize = 50, Patience = 5, CheckpointDirectory = directory, Optimizer = new OptimizerOptions { LearningRate = 3e-3 } };
        var stepsPerEpoch = (int)((train.RowCount + 49) / 50);

        using var straight = Model(pipeline);
        var full = new Trainer(Options(TestPaths.TempDirectory())).Fit(straight, train, validation);
        var directory = TestPaths.TempDirectory();
        using var interrupted = Model(pipeline);
        new Trainer(Options(directory) with { MaxSteps = stepsPerEpoch + 5 }).Fit(interrupted, train, validation).ReachedMaxSteps.Should().BeTrue();
        using var resumed = Model(pipeline);
        var rest = new Trainer(Options(directory) with { ResumeFrom = Path.Combine(directory, "last") }).Fit(resumed, train, validation);

        rest.GlobalSteps.Should().Be(full.GlobalSteps).And.Be(3 * stepsPerEpoch);
        rest.Best!.MonitorValue.Should().Be(full.Best!.MonitorValue);
        SameWeights(resumed, straight);
    }

    [Fact]
    public async Task A_cache_from_another_pipeline_a_damaged_shard_or_a_changed_source_is_refused_with_the_file()
    {
        var (schema, table) = RichTable();
        var pipeline = FeaturePipeline.Fit(schema, table);
        var source = SourceFile("a,b\n");
        var directory = await BuildCache(pipeline, table, DatasetRole.Train, source: source);
        var other = FeaturePipeline.Fit(schema with { Features = schema.Features.Skip(1).ToArray() }, table);

        EncodedCache.StaleReason(directory, pipeline.ContentHash, [source]).Should().BeNull();
        EncodedCache.StaleReason(directory, other.ContentHash, [source]).Should().Be("it was built by another feature pipeline");
        var manifest = Path.Combine(directory, "manifest.json");
        ((Action)(() => EncodedCache.Open(directory, other.ContentHash))).Should().Throw<DataFormatException>()
            .WithMessage($"{manifest}: the cache was built by another feature pipeline (hash {pipeline.ContentHash}, this pipeline is {other.ContentHash}); rebuild it");

        File.AppendAllText(source, "1,2\n");
        EncodedCache.StaleReason(directory, pipeline.ContentHash, [source]).Should().Be($"{Path.GetFullPath(source)} changed since the cache was built");
        EncodedCache.StaleReason(directory, pipeline.ContentHash, [source, source]).Should().StartWith("it was built from 1 source files, now there are 2");

        var shard = Path.Combine(directory, "shard-00003.ids");
        File.WriteAllBytes(shard, File.ReadAllBytes(shard)[..100]);
        ((Action)(() => EncodedCache.Open(directory))).Should().Throw<DataFormatException>()
            .WithMessage($"{shard}: the shard file has 100 bytes, the manifest implies {64 * pipeline.Layout.SlotCount * 4}; the cache is damaged, rebuild it");

        var notACache = TestPaths.TempDirectory();
        ((Action)(() => EncodedCache.Open(notACache))).Should().Throw<DataFormatException>().WithMessage($"{Path.Combine(notACache, "manifest.json")}: not an encoded cache (no manifest.json)");
    }

    [Fact]
    public async Task An_existing_cache_is_kept_unless_overwritten_and_a_failed_build_leaves_nothing_behind()
    {
        var (schema, table) = RichTable(rows: 100);
        var pipeline = FeaturePipeline.Fit(schema, table);
        var directory = await BuildCache(pipeline, table, DatasetRole.Train);

        var act = () => new EncodedCacheBuilder(pipeline, directory, DatasetRole.Train);
        act.Should().Throw<IOException>().WithMessage($"{directory}: the cache directory already exists; remove it or pass overwrite");

        var parent = TestPaths.TempDirectory();
        var failed = Path.Combine(parent, "cache");
        var bad = CsvTableReader.Parse("row,user,city,age,income,tags,click,like\n1,u1,c1,x,1,,1,0\n", "bad.csv");
        using (var builder = new EncodedCacheBuilder(pipeline, failed, DatasetRole.Train))
        {
            builder.Append(table);
            ((Action)(() => builder.Append(bad))).Should().Throw<DataFormatException>().WithMessage("bad.csv, line 2, column age: 'x' is not a number (feature 'age')");
        }

        Directory.EnumerateFileSystemEntries(parent).Should().BeEmpty("the partial cache is removed when the build fails");
    }

    private static bool Same(Tensor a, Tensor b) =>
        a.shape.SequenceEqual(b.shape) && a.to(ScalarType.Float64).allclose(b.to(ScalarType.Float64), 0, 0);

    private static StemNet Model(FeaturePipeline pipeline)
    {
        manual_seed(21);
        return new StemNet(pipeline.Layout, pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [16, 8], GateUnits = [8], TowerUnits = [8], SharedExperts = 2, Dropout = 0.1 });
    }

    private static void SameWeights(IMultiTaskModel actual, IMultiTaskModel expected)
    {
        var reference = expected.TorchModule.state_dict();
        foreach (var (name, tensor) in actual.TorchModule.state_dict())
        {
            tensor.allclose(reference[name], 0, 0).Should().BeTrue(name);
        }
    }
}
