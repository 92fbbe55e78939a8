using System.Diagnostics;
using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;
using TorchSharp;

namespace STEM.Recommenders.Tests.Pretraining;

public class SyntheticUserLogTests
{
    private static string[] Rows(DataTable table) =>
        Enumerable.Range(0, table.RowCount).Select(r => string.Join(",", table.Columns.Select(c => c[r]))).ToArray();

    [Fact]
    public void Is_deterministic_for_a_seed_and_differs_across_seeds()
    {
        var options = new SyntheticUserLogOptions { Users = 300, Items = 200, Topics = 10, Seed = 5 };

        var first = SyntheticUserLogGenerator.Generate(options);
        var second = SyntheticUserLogGenerator.Generate(options);
        var other = SyntheticUserLogGenerator.Generate(options with { Seed = 6 });

        first.ColumnNames.Should().Equal("user_id", "time_ms", "service", "item_id", "category", "is_click");
        Rows(first).Should().Equal(Rows(second));
        Rows(other).Should().NotEqual(Rows(first));
        first.RowCount.Should().BeInRange(300 * 10, 300 * 14);
        Enumerable.Range(0, first.RowCount).Select(r => first.Column("service")[r]).Distinct().Should().BeEquivalentTo("main", "other");
    }

    [Fact]
    public void Builds_pairs_with_its_default_sequence_options_quickly()
    {
        var watch = Stopwatch.StartNew();
        var table = SyntheticUserLogGenerator.Generate(new SyntheticUserLogOptions { Users = 20_000 });
        var log = UserEventLog.FromTable(table, SyntheticUserLogGenerator.DefaultSequenceOptions);
        var split = UserSplit.Create(log.Users);
        var vocabulary = TokenVocabulary.Fit(log, split.Train, SyntheticUserLogGenerator.DefaultSequenceOptions.MinTokenCount);
        using var scope = torch.NewDisposeScope();

        using var pairs = log.EncodePairs(vocabulary, split.Train);
        watch.Stop();

        log.Users.Should().HaveCount(20_000);
        pairs.A.Tokens.shape.Should().Equal(pairs.Count, 32L, 3L);
        pairs.Statistics.UsersConsidered.Should().Be(split.Train.Count);
        (pairs.Statistics.UsersKept + pairs.Statistics.ExcludedByViewA + pairs.Statistics.ExcludedByViewB).Should().Be(split.Train.Count);
        pairs.Count.Should().BeGreaterThan(split.Train.Count / 2);

        // Items (2,000), categories (16) and the click token all make it into the vocabulary.
        vocabulary.Count.Should().BeInRange(1_500, 2_000 + 16 + 3);
        vocabulary.IdOf("is_click=1").Should().BeGreaterThan(TokenVocabulary.OovId);
        watch.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(20));
    }

    [Fact]
    public void Options_are_validated_naming_the_option()
    {
        var act = () => SyntheticUserLogGenerator.Generate(new SyntheticUserLogOptions { Topics = 0 });

        act.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("SyntheticUserLogOptions.Topics must be in [1, Items].");
    }
}
