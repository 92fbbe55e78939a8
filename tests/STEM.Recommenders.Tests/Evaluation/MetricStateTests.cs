using System.Text.Json;
using STEM.Recommenders.Evaluation;

namespace STEM.Recommenders.Tests.Evaluation;

/// <summary>
/// Mergeable metric states: shards of a dataset evaluated apart and merged must report what the whole
/// dataset reports, so that distributed evaluation (stem evaluate --shard ... --merge-states) is exact.
/// </summary>
public class MetricStateTests
{
    private static readonly string[] Tasks = ["click", "like"];

    [Theory]
    [InlineData(7, 5000, 40)]
    [InlineData(11, 3000, 3000)]
    [InlineData(13, 2000, 3)]
    public void Histogram_metrics_equal_the_metrics_of_the_pairs(int seed, int rows, int distinctScores)
    {
        var (scores, labels) = Samples(seed, rows, distinctScores);
        var histogram = new ScoreHistogram();
        for (var i = 0; i < rows; i++)
        {
            histogram.Add(scores[i], labels[i]);
        }

        histogram.Count.Should().Be(rows);
        histogram.Positives.Should().Be(labels.Count(l => l > 0.5f));
        histogram.DistinctScores.Should().Be(scores.Distinct().Count());
        histogram.Auc().Should().BeApproximately(AucMetric.Compute(scores, labels), 1e-12);
        histogram.LogLoss().Should().BeApproximately(LogLossMetric.Compute(scores, labels), 1e-12);
        histogram.Calibration().Should().BeApproximately(CalibrationMetric.Compute(scores, labels), 1e-12);
    }

    [Fact]
    public void Histogram_counts_ties_as_one_half_and_is_undefined_for_one_class()
    {
        var tied = new ScoreHistogram();
        foreach (var (score, label) in new[] { (0.2f, 0f), (0.2f, 1f), (0.9f, 1f) })
        {
            tied.Add(score, label);
        }

        tied.Auc().Should().Be(0.75);
        tied.Runs.Should().Equal(new ScoreRun(0.2f, 1, 1), new ScoreRun(0.9f, 1, 0));

        var one = new ScoreHistogram();
        one.Add(0.4f, true);
        double.IsNaN(one.Auc()).Should().BeTrue();
        double.IsNaN(new ScoreHistogram().LogLoss()).Should().BeTrue();
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(5)]
    public void Merged_shard_states_equal_the_state_of_all_rows_exactly(int shards)
    {
        // Few distinct scores (ties inside and across shards) and users whose rows land in several shards.
        var rows = Rows(seed: 3, count: 4000, users: 60, distinctScores: 25);
        var single = Evaluate(rows);
        var merged = new EvaluationState(Tasks);
        foreach (var shard in Enumerable.Range(0, shards))
        {
            merged.Merge(Evaluate(rows.Where((_, i) => i % shards == shard)));
        }

        merged.Compute().Tasks.Should().Equal(single.Compute().Tasks, "a merged state reports bit for bit what one state over all rows reports");
        Json(merged).Should().Be(Json(single));
    }

    [Fact]
    public void State_metrics_equal_the_metric_accumulator()
    {
        var rows = Rows(seed: 5, count: 3000, users: 80, distinctScores: 200);
        var accumulator = new MetricAccumulator(Tasks);
        var groupIds = new Dictionary<string, long>();
        foreach (var row in rows)
        {
            var group = row.User is null ? -1 : groupIds.TryGetValue(row.User, out var g) ? g : groupIds[row.User] = groupIds.Count;
            accumulator.Add(row.Task, row.Score, row.Label, group);
        }

        var expected = accumulator.Compute();
        var actual = Evaluate(rows).Compute();
        for (var k = 0; k < Tasks.Length; k++)
        {
            var (e, a) = (expected.Tasks[k], actual.Tasks[k]);
            a.Task.Should().Be(e.Task);
            a.Count.Should().Be(e.Count);
            a.Positives.Should().Be(e.Positives);
            a.Auc.Should().BeApproximately(e.Auc, 1e-12);
            a.GAuc.Should().BeApproximately(e.GAuc, 1e-12);
            a.LogLoss.Should().BeApproximately(e.LogLoss, 1e-12);
            a.Calibration.Should().BeApproximately(e.Calibration, 1e-12);
        }
    }

    [Fact]
    public void Merge_order_does_not_change_the_state()
    {
        var rows = Rows(seed: 9, count: 1500, users: 30, distinctScores: 50);
        var parts = Enumerable.Range(0, 4).Select(s => Evaluate(rows.Where((_, i) => i % 4 == s))).ToArray();
        var forward = new EvaluationState(Tasks);
        var backward = new EvaluationState(Tasks);
        foreach (var part in parts)
        {
            forward.Merge(part);
        }

        foreach (var part in parts.Reverse())
        {
            backward.Merge(part);
        }

        Json(backward).Should().Be(Json(forward));
    }

    [Fact]
    public void Json_round_trip_keeps_every_score_and_count()
    {
        var state = Evaluate(Rows(seed: 21, count: 2000, users: 25, distinctScores: 100_000));
        state.Add(0, 1e-30f, 1);
        state.Add(1, float.Epsilon, 0, "tiny-user"); // NaN scores are refused (NonFiniteScoreTests)
        var text = Json(state);
        var back = JsonSerializer.Deserialize<EvaluationState>(text)!;
        Json(back).Should().Be(text);
        back.Tasks[0].All().Runs.Should().Equal(state.Tasks[0].All().Runs);
        back.Compute().Tasks.Should().Equal(state.Compute().Tasks);
    }

    [Theory]
    [InlineData("""{"version":2,"tasks":[]}""", "$.version: 2 is not a state version")]
    [InlineData("""{"version":1}""", "$: property 'tasks' is missing")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":[],"positives":[],"negatives":[]},"groups":{"keys":[],"runs":[],"scores":[],"positives":[],"negatives":[]}},{"task":"a","ungrouped":{"scores":[],"positives":[],"negatives":[]},"groups":{"keys":[],"runs":[],"scores":[],"positives":[],"negatives":[]}}]}""", "$.tasks: Task 'a' appears more than once.")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":[0.2,0.1],"positives":[1,0],"negatives":[0,1]},"groups":{"keys":[],"runs":[],"scores":[],"positives":[],"negatives":[]}}]}""", "$.tasks[0].ungrouped: Run 1: score 0.1 does not follow 0.2")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":[0.1],"positives":[-1],"negatives":[0]},"groups":{"keys":[],"runs":[],"scores":[],"positives":[],"negatives":[]}}]}""", "$.tasks[0].ungrouped.positives[0]: -1 is not a count")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":[0.1],"positives":[1,2],"negatives":[0]},"groups":{"keys":[],"runs":[],"scores":[],"positives":[],"negatives":[]}}]}""", "$.tasks[0].ungrouped: scores, positives and negatives have 1, 2 and 1 entries")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":["x"],"positives":[1],"negatives":[0]},"groups":{"keys":[],"runs":[],"scores":[],"positives":[],"negatives":[]}}]}""", "$.tasks[0].ungrouped.scores[0]: \"x\" is not a score")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":[],"positives":[],"negatives":[]},"groups":{"keys":["u","u"],"runs":[1,1],"scores":[0.1,0.2],"positives":[1,0],"negatives":[0,1]}}]}""", "$.tasks[0].groups.keys[1]: group 'u' appears more than once")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":[],"positives":[],"negatives":[]},"groups":{"keys":["u","v"],"runs":[1,2],"scores":[0.1,0.2],"positives":[1,0],"negatives":[0,1]}}]}""", "$.tasks[0].groups.runs[1]: 2 runs for group 'v', but 1 of the 2 runs are left")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":[],"positives":[],"negatives":[]},"groups":{"keys":["u"],"runs":[1],"scores":[0.1,0.2],"positives":[1,0],"negatives":[0,1]}}]}""", "$.tasks[0].groups.runs: the groups' runs add up to 1, but there are 2 scores")]
    [InlineData("""{"version":1,"tasks":[{"task":"a","ungrouped":{"scores":[],"positives":[],"negatives":[]},"groups":{"keys":["u"],"runs":[2],"scores":[0.2,0.1],"positives":[1,0],"negatives":[0,1]}}]}""", "$.tasks[0].groups (group 'u'): Run 1: score 0.1 does not follow 0.2")]
    public void Damaged_state_json_is_an_error_naming_the_json_path(string json, string expected)
    {
        var read = () => JsonSerializer.Deserialize<EvaluationState>(json);
        read.Should().Throw<JsonException>().Which.Message.Should().StartWith(expected);
    }

    [Fact]
    public void States_of_other_tasks_do_not_merge()
    {
        var state = new EvaluationState(Tasks);
        var merge = () => state.Merge(new EvaluationState(["like", "click"]));
        merge.Should().Throw<ArgumentException>().WithMessage("Cannot merge a state of tasks like, click into one of tasks click, like.*");
    }

    private static EvaluationState Evaluate(IEnumerable<Row> rows)
    {
        var state = new EvaluationState(Tasks);
        foreach (var row in rows)
        {
            state.Add(row.Task, row.Score, row.Label, row.User);
        }

        return state;
    }

    private static string Json(EvaluationState state) => JsonSerializer.Serialize(state);

    private static (float[] Scores, float[] Labels) Samples(int seed, int rows, int distinctScores)
    {
        var random = new Random(seed);
        var scores = new float[rows];
        var labels = new float[rows];
        for (var i = 0; i < rows; i++)
        {
            scores[i] = (random.Next(distinctScores) + 0.5f) / distinctScores;
            labels[i] = random.NextDouble() < scores[i] ? 1 : 0;
        }

        return (scores, labels);
    }

    private static Row[] Rows(int seed, int count, int users, int distinctScores)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            var score = (random.Next(distinctScores) + 0.5f) / distinctScores;
            var user = random.Next(users + 1);
            return new Row(random.Next(Tasks.Length), score, random.NextDouble() < score ? 1 : 0, user == users ? null : $"u{user}");
        }).ToArray();
    }

    private sealed record Row(int Task, float Score, float Label, string? User);
}
