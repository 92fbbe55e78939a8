using System.Globalization;
using STEM.Recommenders.Data;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// A seeded synthetic event log for CLUE pretraining at sizes the real logs do not reach
/// (label results from it as synthetic). Every item has a latent topic and a category; every user
/// a mixture over <see cref="SyntheticUserLogOptions.TopicsPerUser"/> topics. Each event is on
/// service "main" or "other"; its topic comes from the user's mixture, or, with the service's
/// noise probability, uniformly, so the two services share the user's interests but differ in
/// how clearly they show them. Items within a topic are skewed towards popular ones; clicks are
/// likelier on interest topics. Columns: user_id, time_ms, service, item_id, category, is_click.
/// Rows come grouped by user in time order.
/// </summary>
public static class SyntheticUserLogGenerator
{
    private const long StartMs = 1_650_000_000_000;
    private const double WeekMs = 7 * 24 * 3600 * 1000.0;
    private const double MeanGapMs = 3600 * 1000.0;

    /// <summary>
    /// Sequence options for the generated columns: tokens item_id, category and the label
    /// is_click; users by user_id, ordered by time_ms; view A = service "main", view B = "other".
    /// </summary>
    public static SequenceOptions DefaultSequenceOptions { get; } = new()
    {
        Tokens = [TokenField.Categorical("item_id"), TokenField.Categorical("category"), TokenField.Label("is_click")],
        Views = new ServiceViews { Column = "service", FirstViewValues = ["main"] },
    };

    /// <summary>Generates the log; the same options give the same table.</summary>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public static DataTable Generate(SyntheticUserLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var random = new Random(options.Seed);

        // Every topic gets at least one item, so that any topic can be drawn.
        var itemTopic = new int[options.Items];
        for (var i = 0; i < options.Items; i++)
        {
            itemTopic[i] = i < options.Topics ? i : random.Next(options.Topics);
        }

        var itemsByTopic = Enumerable.Range(0, options.Topics).Select(t => new List<int>()).ToArray();
        for (var i = 0; i < options.Items; i++)
        {
            itemsByTopic[itemTopic[i]].Add(i);
        }

        var itemText = Enumerable.Range(0, options.Items).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var categoryText = Enumerable.Range(0, options.Items).Select(_ => random.Next(options.Categories).ToString(CultureInfo.InvariantCulture)).ToArray();

        var expectedRows = (int)Math.Min(int.MaxValue / 2, options.Users * options.EventsPerUser * 1.05);
        var users = new List<string?>(expectedRows);
        var times = new List<string?>(expectedRows);
        var services = new List<string?>(expectedRows);
        var items = new List<string?>(expectedRows);
        var categories = new List<string?>(expectedRows);
        var clicks = new List<string?>(expectedRows);
        var maxEvents = Math.Max(1, (int)Math.Round((2 * options.EventsPerUser) - 1));
        var interests = new int[options.TopicsPerUser];
        var weights = new double[options.TopicsPerUser];
        for (var u = 0; u < options.Users; u++)
        {
            var user = u.ToString(CultureInfo.InvariantCulture);
            var total = 0.0;
            for (var j = 0; j < interests.Length; j++)
            {
                interests[j] = random.Next(options.Topics);

                // Exponential weights, normalised below: a flat Dirichlet mixture.
                weights[j] = -Math.Log(1 - random.NextDouble());
                total += weights[j];
            }

            var time = StartMs + (random.NextDouble() * WeekMs);
            var events = 1 + random.Next(maxEvents);
            for (var e = 0; e < events; e++)
            {
                time += -Math.Log(1 - random.NextDouble()) * MeanGapMs;
                var main = random.NextDouble() < options.MainServiceShare;
                var noisy = random.NextDouble() < (main ? options.MainNoise : options.OtherNoise);
                int topic;
                if (noisy)
                {
                    topic = random.Next(options.Topics);
                }
                else
                {
                    var pick = random.NextDouble() * total;
                    var j = 0;
                    while (j < weights.Length - 1 && (pick -= weights[j]) >= 0)
                    {
                        j++;
                    }

                    topic = interests[j];
                }

                // u² skews the draw towards the first (popular) items of the topic.
                var pool = itemsByTopic[topic];
                var r = random.NextDouble();
                var item = pool[(int)(pool.Count * r * r)];
                var click = random.NextDouble() < (noisy ? 0.15 : 0.5);
                users.Add(user);
                times.Add(((long)time).ToString(CultureInfo.InvariantCulture));
                services.Add(main ? "main" : "other");
                items.Add(itemText[item]);
                categories.Add(categoryText[item]);
                clicks.Add(click ? "1" : "0");
            }
        }

        var source = string.Create(CultureInfo.InvariantCulture, $"synthetic-user-log(seed={options.Seed}, users={options.Users})");
        return DataTable.FromColumns(source,
        [
            new("user_id", users.ToArray()),
            new("time_ms", times.ToArray()),
            new("service", services.ToArray()),
            new("item_id", items.ToArray()),
            new("category", categories.ToArray()),
            new("is_click", clicks.ToArray()),
        ]);
    }
}
