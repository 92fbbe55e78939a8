using System.Globalization;
using System.Text;
using System.Text.Json;
using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;
using TorchSharp;
using static STEM.Recommenders.Tests.Pretraining.SequenceTestData;

namespace STEM.Recommenders.Tests.Pretraining;

public class SequenceViewTests
{
    [Fact]
    public void ServiceViews_put_the_listed_values_in_view_A()
    {
        var options = Options() with { Views = new ServiceViews { Column = "svc", FirstViewValues = ["other"] } };

        var log = UserEventLog.FromTable(Table(), options);

        log.EventsOf("u1").Select(e => e.InFirstView).Should().Equal(false, true, false, false);
        log.EventsOf("u2").Single().InFirstView.Should().BeTrue();
    }

    [Fact]
    public void TimeViews_compare_the_column_as_a_number()
    {
        // "9" < "10" as numbers but not as strings: the split must be numeric.
        var csv = "user,t,item,day\nu,1,a,9\nu,2,b,10\nu,3,c,20220427\nu,4,d,20220428\nu,5,e,20220501\n";
        var options = new SequenceOptions
        {
            UserColumn = "user",
            TimeColumn = "t",
            Tokens = [TokenField.Categorical("item")],
            Views = new TimeViews { Column = "day", SplitValue = 20220428 },
        };

        var log = UserEventLog.FromTable(Table(csv), options);

        log.EventsOf("u").Select(e => e.InFirstView).Should().Equal(true, true, true, false, false);
    }

    [Fact]
    public void TimeViews_reject_a_value_that_is_not_a_number_with_its_line()
    {
        var csv = "user,t,item,day\nu,1,a,9\nu,2,b,soon\n";
        var options = new SequenceOptions { UserColumn = "user", TimeColumn = "t", Tokens = [TokenField.Categorical("item")], Views = new TimeViews { Column = "day" } };

        var act = () => UserEventLog.FromTable(Table(csv), options);

        act.Should().Throw<DataFormatException>().Which.Message.Should().StartWith("events.csv, line 3, column day:").And.Contain("'soon'");
    }

    [Fact]
    public void RandomViews_are_seeded_roughly_at_the_fraction_and_independent_of_row_order()
    {
        var rows = Enumerable.Range(0, 2000).Select(i => string.Create(CultureInfo.InvariantCulture, $"u{i % 50},{i},i{i}")).ToList();
        string Csv(IEnumerable<string> lines) => "user,t,item\n" + string.Join("\n", lines) + "\n";
        SequenceOptions Views(long seed) => new()
        {
            UserColumn = "user",
            TimeColumn = "t",
            Tokens = [TokenField.Categorical("item")],
            Views = new RandomViews { Seed = seed, FirstViewFraction = 0.3 },
        };
        IEnumerable<bool> Flags(UserEventLog log) => log.Users.Order(StringComparer.Ordinal).SelectMany(u => log.EventsOf(u).Select(e => e.InFirstView));

        var log = UserEventLog.FromTable(Table(Csv(rows)), Views(7));
        var reversed = UserEventLog.FromTable(Table(Csv(Enumerable.Reverse(rows))), Views(7));
        var reseeded = UserEventLog.FromTable(Table(Csv(rows)), Views(8));

        var flags = Flags(log).ToArray();
        flags.Count(f => f).Should().BeInRange(540, 660);
        Flags(reversed).Should().Equal(flags);
        Flags(reseeded).Should().NotEqual(flags);
    }

    [Fact]
    public void View_strategies_round_trip_as_polymorphic_json()
    {
        ViewStrategy[] strategies = [new ServiceViews { Column = "tab", FirstViewValues = ["1", "2"] }, new TimeViews { Column = "date", SplitValue = 20220428 }, new RandomViews { Seed = 3, FirstViewFraction = 0.25 }];

        foreach (var strategy in strategies)
        {
            var json = JsonSerializer.Serialize(strategy);
            var back = JsonSerializer.Deserialize<ViewStrategy>(json);

            back.Should().BeOfType(strategy.GetType());
            JsonSerializer.Serialize(back).Should().Be(json);
        }

        JsonSerializer.Serialize<ViewStrategy>(new TimeViews()).Should().Contain("\"type\":\"time\"");
    }

    [Fact]
    public void Sequence_options_round_trip_as_json()
    {
        var json = JsonSerializer.Serialize(SequenceOptions.KuaiRand);

        var back = JsonSerializer.Deserialize<SequenceOptions>(json)!;

        json.Should().Contain("\"Kind\":\"MultiValue\"").And.Contain("\"type\":\"service\"").And.NotContain("MaxTokensPerItem");
        back.Tokens.Should().Equal(SequenceOptions.KuaiRand.Tokens, (x, y) => x.Name == y.Name && x.Kind == y.Kind && x.MaxValues == y.MaxValues);
        back.MaxTokensPerItem.Should().Be(11);
        back.Views.Should().BeOfType<ServiceViews>().Which.Column.Should().Be("tab");
        JsonSerializer.Serialize(back).Should().Be(json);
    }

    [Fact]
    public void Users_with_fewer_than_k_events_in_a_view_are_counted_exactly()
    {
        // (main, other) events: full 3/3, fewA 1/3, fewB 3/1, fewBoth 1/1.
        var csv = new StringBuilder("user,t,item,svc\n");
        var t = 0;
        foreach (var (user, a, b) in new[] { ("full", 3, 3), ("fewA", 1, 3), ("fewB", 3, 1), ("fewBoth", 1, 1) })
        {
            for (var i = 0; i < a + b; i++)
            {
                csv.Append(CultureInfo.InvariantCulture, $"{user},{t++},i{i},{(i < a ? "main" : "other")}\n");
            }
        }

        var options = new SequenceOptions { UserColumn = "user", TimeColumn = "t", Tokens = [TokenField.Categorical("item")], MinEventsPerView = 2, MinTokenCount = 1, Views = new ServiceViews { Column = "svc", FirstViewValues = ["main"] } };
        var log = UserEventLog.FromTable(Table(csv.ToString()), options);
        var vocabulary = TokenVocabulary.Fit(log, log.Users.ToHashSet(), 1);
        using var scope = torch.NewDisposeScope();

        using var pairs = log.EncodePairs(vocabulary);
        using var only = log.EncodePairs(vocabulary, Set("fewB", "full"));

        pairs.UserKeys.Should().Equal("full");
        pairs.Statistics.Should().Be(new ViewStatistics(UsersConsidered: 4, UsersKept: 1, ExcludedByViewA: 2, ExcludedByViewB: 1, EventsInViewA: 8, EventsInViewB: 8, EventsKeptInViewA: 3, EventsKeptInViewB: 3));
        only.Statistics.Should().Be(new ViewStatistics(2, 1, 0, 1, 6, 4, 3, 3));

        var strict = UserEventLog.FromTable(Table(csv.ToString()), options with { MinEventsPerView = 4 });
        var none = () => strict.EncodePairs(vocabulary);
        none.Should().Throw<DataFormatException>().Which.Message.Should()
            .Contain("SequenceOptions.MinEventsPerView = 4").And.Contain("4 users considered").And.Contain("4 with fewer in view A").And.Contain("0 with fewer in view B");
    }

    [Fact]
    public void A_service_column_with_one_value_is_refused_naming_the_column()
    {
        var csv = "user,t,item,svc\nu,1,a,main\nu,2,b,main\nv,3,c,main\n";
        var options = new SequenceOptions { UserColumn = "user", TimeColumn = "t", Tokens = [TokenField.Categorical("item")], MinEventsPerView = 1, Views = new ServiceViews { Column = "svc", FirstViewValues = ["main"] } };
        var log = UserEventLog.FromTable(Table(csv), options);
        var vocabulary = TokenVocabulary.Fit(log, Set("u", "v"), 1);

        var act = () => log.EncodePairs(vocabulary);

        act.Should().Throw<DataFormatException>().Which.Message.Should().Contain("column 'svc'").And.Contain("all 3 events").And.Contain("view A");
    }
}
