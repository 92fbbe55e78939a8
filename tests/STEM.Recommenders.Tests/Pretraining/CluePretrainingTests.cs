using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Pretraining;

public sealed class CluePretrainingTests : IDisposable
{
    private readonly ClueDataSplits _data = ClueTestData.Splits();

    public void Dispose() => _data.Dispose();

    private static PretrainingOptions Training(int batch = 32) => new()
    {
        Epochs = 2,
        BatchSize = batch,
        EvaluationBatchSize = 16,
        LearningRate = 1e-2,
        Seed = 5,
    };

    [Fact]
    public void Prepare_splits_the_users_and_fits_the_vocabulary_on_the_training_users()
    {
        var users = _data.Users;
        users.Train.Overlaps(users.Validation).Should().BeFalse();
        users.Train.Overlaps(users.Test).Should().BeFalse();
        (users.Train.Count + users.Validation.Count + users.Test.Count).Should().Be(_data.Log.Users.Count);
        _data.Train.UserKeys.Should().OnlyContain(u => users.Train.Contains(u));
        _data.Validation.UserKeys.Should().OnlyContain(u => users.Validation.Contains(u));
        _data.Test.UserKeys.Should().OnlyContain(u => users.Test.Contains(u));
        _data.Train.Statistics.UsersConsidered.Should().Be(users.Train.Count);

        // The same vocabulary fitted again on the training users alone.
        var again = TokenVocabulary.Fit(_data.Log, users.Train, _data.Log.Options.MinTokenCount);
        again.ContentHash.Should().Be(_data.Vocabulary.ContentHash);
    }

    [Fact]
    public void Run_packages_the_encoder_with_the_vocabulary_hash_and_the_best_held_out_metrics()
    {
        var fixedTemperature = new ContrastiveLossOptions { Temperature = 0.1, LearnableTemperature = false };
        var result = CluePretraining.Run(_data, ClueTestData.TinyEncoder(), fixedTemperature, Training() with { Epochs = 3 });
        using var artifact = result.Artifact;

        artifact.Vocabulary.Should().BeSameAs(_data.Vocabulary);
        artifact.Metadata.VocabularyHash.Should().Be(_data.Vocabulary.ContentHash);
        artifact.Metadata.VocabularySize.Should().Be(_data.Vocabulary.Count);
        artifact.Metadata.Sequences.Should().Be(_data.Log.Options);
        artifact.Metadata.HeldOut.Should().NotBeNull().And.Be(result.Training.Best!.Validation);
        artifact.Metadata.HeldOut!.BatchSize.Should().Be(16);
        result.Training.History.Should().HaveCount(3);
        result.Training.GlobalSteps.Should().Be(3 * (_data.Train.Count / 32));

        // The artifact holds the best weights: with a fixed temperature they reproduce the recorded held-out metrics.
        using (var loss = new ContrastiveLoss("loss", fixedTemperature))
        {
            Pretrainer.Evaluate(artifact.Encoder, loss, _data.Validation, 16).Should().Be(artifact.Metadata.HeldOut);
            Pretrainer.Evaluate(artifact.Encoder, loss, _data.Test, Math.Min(16, _data.Test.Count)).Should().Be(result.Test);
        }

        result.Test.Users.Should().Be(_data.Test.Count / 16 * 16);

        result.Test.BatchSize.Should().Be(Math.Min(16, _data.Test.Count));
        result.Test.Loss.Should().BeGreaterThan(0).And.BeLessThan(result.Test.ChanceLoss, "the encoder learned something that transfers to unseen users");
        result.TrainingFlops.Should().BeGreaterThan(0);
        result.TrainingFlops.Should().Be(ClueCompute.TrainingFlops(artifact.Encoder, result.Training.TokensSeen, result.Training.ItemsSeen, result.Training.PairsSeen * 2));
    }

    [Fact]
    public void Training_flops_count_the_real_tokens_and_items_of_every_step()
    {
        // One batch of every training user per epoch: each epoch reads both views of all of them.
        var n = _data.Train.Count;
        var result = CluePretraining.Run(_data, ClueTestData.TinyEncoder(), training: Training(batch: n));
        using var artifact = result.Artifact;

        long tokens, items;
        using (NewDisposeScope())
        {
            var rows = arange(0, n, dtype: ScalarType.Int64);
            var pair = _data.Train.Take(rows);
            var a = ClueCompute.Count(pair.A);
            var b = ClueCompute.Count(pair.B);
            (tokens, items) = (a.RealTokens + b.RealTokens, a.RealItems + b.RealItems);
        }

        result.Training.GlobalSteps.Should().Be(2);
        result.Training.PairsSeen.Should().Be(2L * n);
        result.Training.TokensSeen.Should().Be(2 * tokens);
        result.Training.ItemsSeen.Should().Be(2 * items);
        result.TrainingFlops.Should().Be(ClueCompute.TrainingFlops(artifact.Encoder, 2 * tokens, 2 * items, 4L * n));
        var counts = artifact.Encoder.ParameterCounts;
        result.TrainingFlops.Should().BeApproximately(6.0 * ((counts.ItemEncoder * 2.0 * tokens) + (counts.SequenceEncoder * 2.0 * items) + (counts.Projection * 4.0 * n)), 1);
    }

    [Fact]
    public void The_same_seed_gives_the_same_encoder()
    {
        using var users = _data.Log.EncodeAll(_data.Vocabulary, _data.Users.Test);
        var first = CluePretraining.Run(_data, ClueTestData.TinyEncoder(), training: Training() with { Epochs = 1 });
        using var a = first.Artifact;
        var second = CluePretraining.Run(_data, ClueTestData.TinyEncoder(), training: Training() with { Epochs = 1 });
        using var b = second.Artifact;
        var third = CluePretraining.Run(_data, ClueTestData.TinyEncoder(), training: Training() with { Epochs = 1, Seed = 6 });
        using var c = third.Artifact;

        ClueTestData.MaxDifference(a.Encoder, b.Encoder).Should().Be(0);
        a.Embed(users).Values.SequenceEqual(b.Embed(users).Values).Should().BeTrue();
        ClueTestData.MaxDifference(a.Encoder, c.Encoder).Should().BeGreaterThan(0);
    }

    [Fact]
    public void An_encoder_shorter_than_the_sequences_is_refused()
    {
        var act = () => CluePretraining.Run(_data, ClueTestData.TinyEncoder() with { MaxLength = ClueTestData.MaxLength - 1 }, training: Training());
        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("ClueEncoderOptions.MaxLength").And.Contain("SequenceOptions.MaxLength");
    }

    [Fact]
    public void Invalid_encoder_options_are_named_before_training()
    {
        var act = () => CluePretraining.Run(_data, ClueTestData.TinyEncoder() with { Heads = 3 }, training: Training());
        act.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("ClueEncoderOptions.Heads");
    }

    [Fact]
    public async Task LoadKuaiRand_keeps_only_the_given_days_and_joins_the_video_features()
    {
        var events = await ClueData.LoadKuaiRandAsync(TestPaths.Sample("log.csv.gz"), TestPaths.Sample("video_features.csv.gz"), [20220425, 20220426]);

        // Rows per day in the sample: 04-25 has 2,565, 04-26 has 2,460.
        events.RowCount.Should().Be(2565 + 2460);
        var dates = events.Column("date");
        Enumerable.Range(0, events.RowCount).Select(r => dates[r]).Distinct().Order(StringComparer.Ordinal).Should().Equal("20220425", "20220426");
        events.ColumnNames.Should().Contain(ClueData.KuaiRandLogColumns).And.Contain(SequenceOptions.KuaiRandVideoColumns);
        var authors = events.Column("author_id");
        Enumerable.Range(0, events.RowCount).Count(r => authors[r] is not null).Should().BeGreaterThan(events.RowCount / 2);

        using var splits = ClueData.Prepare(events, SequenceOptions.KuaiRand with { MinEventsPerView = 1 });
        splits.Train.Count.Should().BeGreaterThan(0);
        splits.Log.EventCount.Should().Be(events.RowCount);
    }

    [Fact]
    public async Task LoadKuaiRand_without_video_features_keeps_every_day_and_leaves_the_video_columns_empty()
    {
        var events = await ClueData.LoadKuaiRandAsync(TestPaths.Sample("log.csv.gz"), null);

        events.RowCount.Should().Be(20007);
        var authors = events.Column("author_id");
        Enumerable.Range(0, events.RowCount).Should().OnlyContain(r => authors[r] == null);
    }

    [Fact]
    public async Task A_day_filter_that_leaves_no_event_names_the_date_column()
    {
        var log = TestPaths.Sample("log.csv.gz");
        var act = () => ClueData.LoadKuaiRandAsync(log, null, [20220601]);

        var error = (await act.Should().ThrowAsync<DataFormatException>()).Which;
        error.Location.Column.Should().Be("date");
        error.Location.Path.Should().Be(log);
        error.Message.Should().Contain("20220601");
    }

    [Fact]
    public async Task A_log_without_a_needed_column_names_it()
    {
        var dir = TestPaths.TempDirectory();
        try
        {
            var path = Path.Combine(dir, "log.csv");
            await File.WriteAllTextAsync(path, "video_id,time_ms,date,tab,is_click,long_view,is_like\n1,10,20220425,1,0,0,0\n");
            var act = () => ClueData.LoadKuaiRandAsync(path, null);

            var error = (await act.Should().ThrowAsync<DataFormatException>()).Which;
            error.Location.Path.Should().Be(path);
            error.Message.Should().Contain("user_id");
        }
        finally
        {
            TestPaths.Delete(dir);
        }
    }
}
