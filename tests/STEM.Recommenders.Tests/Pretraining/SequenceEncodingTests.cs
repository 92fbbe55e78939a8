using STEM.Recommenders.Pretraining;
using TorchSharp;
using static STEM.Recommenders.Tests.Pretraining.SequenceTestData;

namespace STEM.Recommenders.Tests.Pretraining;

public class SequenceEncodingTests
{
    [Fact]
    public void Events_are_ordered_by_time_with_ties_in_file_order_and_tokenised()
    {
        var log = UserEventLog.FromTable(Table(), Options());

        log.Users.Should().Equal("u1", "u2");
        var events = log.EventsOf("u1");
        events.Select(e => e.Time).Should().Equal(10, 20, 20, 30);
        events.Select(e => e.Tokens[0]).Should().Equal("item=a", "item=b", "item=b2", "item=c");

        // At most two tags, the label only when positive, a missing tag gives nothing.
        events[3].Tokens.Should().Equal("item=c", "tag=x", "tag=y", "click=1");
        events[0].Tokens.Should().Equal("item=a");
        events.Select(e => e.InFirstView).Should().Equal(true, false, true, true);
        Options().MaxTokensPerItem.Should().Be(4);
    }

    [Fact]
    public void Vocabulary_ids_follow_count_then_ordinal_order()
    {
        var log = UserEventLog.FromTable(Table(), Options());

        var vocabulary = TokenVocabulary.Fit(log, Set("u1", "u2"), minCount: 1);

        vocabulary.Tokens.Should().Equal("tag=x", "click=1", "item=a", "tag=y", "item=b", "item=b2", "item=c");
        vocabulary.Count.Should().Be(9);
        vocabulary.IdOf("tag=z").Should().Be(TokenVocabulary.OovId);
    }

    [Fact]
    public void EncodeAll_keeps_the_most_recent_L_left_aligned_with_exact_padding_and_mask()
    {
        var log = UserEventLog.FromTable(Table(), Options(maxLength: 3));
        var vocabulary = TokenVocabulary.Fit(log, Set("u1", "u2"), minCount: 1);
        using var scope = torch.NewDisposeScope();

        using var set = log.EncodeAll(vocabulary);

        set.UserKeys.Should().Equal("u1", "u2");
        set.Tokens.shape.Should().Equal(2L, 3L, 4L);
        set.Tokens.dtype.Should().Be(torch.ScalarType.Int64);
        set.ItemMask.dtype.Should().Be(torch.ScalarType.Bool);
        Longs(set.Tokens).Should().Equal(
            6, 2, 0, 3, /* b:  item=b, tag=x, -, click=1 (a@10 dropped: more than L) */
            7, 5, 0, 0, /* b2: item=b2, tag=y */
            8, 2, 5, 3, /* c:  item=c, tag=x, tag=y, click=1 */
            4, 2, 0, 0, /* u2 a: item=a, tag=x */
            0, 0, 0, 0,
            0, 0, 0, 0);
        Bools(set.ItemMask).Should().Equal(true, true, true, true, false, false);
        set.Statistics.Should().Be(new SequenceStatistics(2, 2, 5, 4));
    }

    [Fact]
    public void Pairs_hold_each_view_truncated_to_its_most_recent_events()
    {
        var log = UserEventLog.FromTable(Table(), Options(maxLength: 2));
        var vocabulary = TokenVocabulary.Fit(log, Set("u1", "u2"), minCount: 1);
        using var scope = torch.NewDisposeScope();

        using var pairs = log.EncodePairs(vocabulary);

        // u2 has no main event: out. u1: main a, b2, c (keep b2, c); other b.
        pairs.UserKeys.Should().Equal("u1");
        Longs(pairs.A.Tokens).Should().Equal(7, 5, 0, 0, 8, 2, 5, 3);
        Bools(pairs.A.ItemMask).Should().Equal(true, true);
        Longs(pairs.B.Tokens).Should().Equal(6, 2, 0, 3, 0, 0, 0, 0);
        Bools(pairs.B.ItemMask).Should().Equal(true, false);
        pairs.Statistics.Should().Be(new ViewStatistics(2, 1, 1, 0, 3, 2, 2, 1));
    }

    [Fact]
    public void Take_selects_rows_of_both_views_and_EncodeAll_honours_the_user_set()
    {
        var log = UserEventLog.FromTable(Table(), Options());
        var vocabulary = TokenVocabulary.Fit(log, Set("u1", "u2"), minCount: 1);
        using var scope = torch.NewDisposeScope();
        using var all = log.EncodeAll(vocabulary);
        using var onlyU2 = log.EncodeAll(vocabulary, Set("u2", "nobody"));

        var batch = all.Take(torch.tensor(new long[] { 1, 0 }));

        batch.Size.Should().Be(2);
        Longs(batch.Tokens)[..4].Should().Equal(4, 2, 0, 0);
        Bools(batch.ItemMask).Should().Equal(true, false, false, true, true, true);
        onlyU2.UserKeys.Should().Equal("u2");
        Longs(onlyU2.Tokens)[..4].Should().Equal(4, 2, 0, 0);
    }

    [Fact]
    public void Sets_built_inside_a_dispose_scope_outlive_it()
    {
        var log = UserEventLog.FromTable(Table(), Options());
        var vocabulary = TokenVocabulary.Fit(log, Set("u1"), minCount: 1);
        UserSequenceSet set;
        using (torch.NewDisposeScope())
        {
            set = log.EncodeAll(vocabulary);
        }

        using (set)
        {
            set.Tokens.IsInvalid.Should().BeFalse();
            set.Tokens.shape[0].Should().Be(2);
        }
    }
}
