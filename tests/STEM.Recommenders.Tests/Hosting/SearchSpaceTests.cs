using System.Text.Json;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Tests.Hosting;

/// <summary>The trial sequence of a search: grid order and count, seeded random draws, the budget.</summary>
public class SearchSpaceTests
{
    private static SearchConfig Search(SearchStrategy strategy = SearchStrategy.Grid, int? trials = null, long seed = 2023) => new()
    {
        Space = new Dictionary<string, IReadOnlyList<JsonElement>>
        {
            // Written out of ordinal order on purpose: the grid orders the paths.
            ["training.optimizer.learningRate"] = [Json("0.001"), Json("0.0005"), Json("0.0001")],
            ["model.sharedExperts"] = [Json("1"), Json("2"), Json("4"), Json("8")],
        },
        Strategy = strategy,
        Trials = trials,
        Seed = seed,
    };

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static string[] Texts(IReadOnlyList<IReadOnlyList<KeyValuePair<string, JsonElement>>> trials) =>
        trials.Select(t => string.Join(' ', t.Select(p => $"{p.Key}={p.Value.GetRawText()}"))).ToArray();

    [Fact]
    public void The_grid_has_every_combination_paths_in_ordinal_order_the_last_varying_fastest()
    {
        var trials = SearchSpace.Enumerate(Search());

        SearchSpace.Size(Search()).Should().Be(12);
        trials.Should().HaveCount(12);
        Texts(trials).Take(5).Should().Equal(
            "model.sharedExperts=1 training.optimizer.learningRate=0.001",
            "model.sharedExperts=1 training.optimizer.learningRate=0.0005",
            "model.sharedExperts=1 training.optimizer.learningRate=0.0001",
            "model.sharedExperts=2 training.optimizer.learningRate=0.001",
            "model.sharedExperts=2 training.optimizer.learningRate=0.0005");
        Texts(trials)[^1].Should().Be("model.sharedExperts=8 training.optimizer.learningRate=0.0001");
        Texts(trials).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void A_budget_takes_the_first_trials_of_the_grid()
    {
        Texts(SearchSpace.Enumerate(Search(trials: 5))).Should().Equal(Texts(SearchSpace.Enumerate(Search())).Take(5));
        SearchSpace.Enumerate(Search(trials: 100)).Should().HaveCount(12, "a budget above the grid runs the grid once");
    }

    [Fact]
    public void Random_search_is_seeded_without_replacement_within_the_budget_and_a_larger_budget_extends_it()
    {
        var first = Texts(SearchSpace.Enumerate(Search(SearchStrategy.Random, 5, seed: 7)));
        var again = Texts(SearchSpace.Enumerate(Search(SearchStrategy.Random, 5, seed: 7)));
        var more = Texts(SearchSpace.Enumerate(Search(SearchStrategy.Random, 8, seed: 7)));
        var other = Texts(SearchSpace.Enumerate(Search(SearchStrategy.Random, 5, seed: 8)));

        first.Should().HaveCount(5).And.OnlyHaveUniqueItems().And.Equal(again);
        more.Take(5).Should().Equal(first);
        more.Should().OnlyHaveUniqueItems();
        other.Should().NotEqual(first, "another seed draws another sequence");
        first.Should().NotEqual(Texts(SearchSpace.Enumerate(Search(trials: 5))), "random search is not the grid's prefix");
        Texts(SearchSpace.Enumerate(Search(SearchStrategy.Random, 12))).Should().BeEquivalentTo(Texts(SearchSpace.Enumerate(Search())), "the whole budget draws every combination once");
    }

    [Fact]
    public void An_empty_space_an_empty_list_and_a_budget_of_zero_are_refused()
    {
        var empty = () => SearchSpace.Enumerate(new SearchConfig());
        var emptyList = () => SearchSpace.Enumerate(new SearchConfig { Space = new Dictionary<string, IReadOnlyList<JsonElement>> { ["model.dropout"] = [] } });
        var zero = () => SearchSpace.Enumerate(Search(trials: 0));

        empty.Should().Throw<ArgumentException>().WithMessage("the search space is empty*");
        emptyList.Should().Throw<ArgumentException>().WithMessage("'model.dropout' lists no values*");
        zero.Should().Throw<ArgumentException>().WithMessage("the trial budget must be at least 1*");
    }
}
