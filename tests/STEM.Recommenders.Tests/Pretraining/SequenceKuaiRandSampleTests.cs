using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;
using TorchSharp;

namespace STEM.Recommenders.Tests.Pretraining;

public class SequenceKuaiRandSampleTests
{
    [Fact]
    public async Task The_bundled_sample_joined_with_video_features_builds_pairs_with_the_KuaiRand_defaults()
    {
        var readers = TableReaderRegistry.CreateDefault();
        var log = await readers.ReadAsync(TestPaths.Sample("log.csv.gz"));
        var videos = await readers.ReadAsync(TestPaths.Sample("video_features.csv.gz"));
        var joined = log.LeftJoin(videos, "video_id", columns: SequenceOptions.KuaiRandVideoColumns.ToArray());
        var options = SequenceOptions.KuaiRand;

        var events = UserEventLog.FromTable(joined, options);
        var split = UserSplit.Create(events.Users);
        var vocabulary = TokenVocabulary.Fit(events, split.Train, options.MinTokenCount);
        using var scope = torch.NewDisposeScope();
        using var pairs = events.EncodePairs(vocabulary, split.Train);
        using var all = events.EncodeAll(vocabulary);

        options.MaxTokensPerItem.Should().Be(11);
        events.Users.Should().HaveCount(3_842);
        events.EventCount.Should().Be(20_007);
        pairs.Count.Should().BeGreaterThan(100);
        pairs.A.Tokens.shape.Should().Equal(pairs.Count, 32L, 11L);
        pairs.B.ItemMask.shape.Should().Equal(pairs.Count, 32L);
        var stats = pairs.Statistics;
        (stats.UsersKept + stats.ExcludedByViewA + stats.ExcludedByViewB).Should().Be(stats.UsersConsidered);
        stats.UsersConsidered.Should().Be(split.Train.Count);
        all.Count.Should().Be(3_842);

        // Joined video fields became tokens; every real item has its video_id slot filled.
        vocabulary.IdOf("video_type=NORMAL").Should().BeGreaterThan(TokenVocabulary.OovId);
        vocabulary.IdOf("is_click=1").Should().BeGreaterThan(TokenVocabulary.OovId);
        var firstSlot = pairs.A.Tokens.select(2, 0);
        firstSlot.masked_select(pairs.A.ItemMask).min().item<long>().Should().BeGreaterThanOrEqualTo(TokenVocabulary.OovId);
        firstSlot.masked_select(pairs.A.ItemMask.logical_not()).max().item<long>().Should().Be(TokenVocabulary.PaddingId);
    }
}
