using System.Globalization;
using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Tests.Pretraining;

public class UserAttributeProbeTests
{
    private const int Users = 400;
    private const int Dimension = 8;

    private static string Key(int i) => "u" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>Classes a (50%), b (30%), c (20%) in a fixed shuffled order; a second attribute with one value.</summary>
    private static string[] Labels()
    {
        var labels = Enumerable.Range(0, Users).Select(i => i % 10 < 5 ? "a" : i % 10 < 8 ? "b" : "c").ToArray();
        new Random(3).Shuffle(labels);
        return labels;
    }

    private static DataTable UserTable(string[] labels) => DataTable.FromColumns("users.csv",
    [
        new("user_id", Enumerable.Range(0, Users).Select(Key).ToArray()),
        new("segment", labels),
        new("constant", Enumerable.Repeat((string?)"x", Users).ToArray()),
    ]);

    /// <summary>One-hot of the class in the first components (when encoded) plus Gaussian noise everywhere.</summary>
    private static UserVectors Vectors(string[] labels, bool encodeClass, double noise = 0.3)
    {
        var random = new Random(11);
        var values = new float[Users * Dimension];
        for (var i = 0; i < Users; i++)
        {
            for (var j = 0; j < Dimension; j++)
            {
                var gaussian = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
                values[(i * Dimension) + j] = (float)(noise * gaussian);
            }

            if (encodeClass)
            {
                values[(i * Dimension) + (labels[i][0] - 'a')] += 1;
            }
        }

        return new UserVectors(Enumerable.Range(0, Users).Select(Key).ToArray(), values, Dimension);
    }

    private static bool IsTrain(string key) => int.Parse(key.AsSpan(1), CultureInfo.InvariantCulture) % 4 != 0;

    [Fact]
    public void Vectors_that_encode_the_attribute_are_probed_far_above_the_majority_rate()
    {
        var labels = Labels();

        var result = UserAttributeProbe.Run(Vectors(labels, encodeClass: true), UserTable(labels), "user_id", ["segment"], IsTrain, epochs: 30).Should().ContainSingle().Subject;

        result.Attribute.Should().Be("segment");
        result.Classes.Should().Be(3);
        result.TrainUsers.Should().Be(300);
        result.TestUsers.Should().Be(100);
        var testLabels = Enumerable.Range(0, Users).Where(i => i % 4 == 0).Select(i => labels[i]).ToArray();
        result.MajorityAccuracy.Should().Be(testLabels.Count(l => l == "a") / 100.0);
        result.Accuracy.Should().BeGreaterThan(0.9).And.BeGreaterThan(result.MajorityAccuracy + 0.2);
        result.MacroAuc.Should().BeGreaterThan(0.95).And.BeLessThanOrEqualTo(1);
    }

    [Fact]
    public void Random_vectors_are_probed_at_about_the_majority_rate()
    {
        var labels = Labels();

        var result = UserAttributeProbe.Run(Vectors(labels, encodeClass: false, noise: 1), UserTable(labels), "user_id", ["segment"], IsTrain, epochs: 30).Single();

        result.Accuracy.Should().BeApproximately(result.MajorityAccuracy, 0.2);
        result.Accuracy.Should().BeLessThan(0.7);
        result.MacroAuc.Should().BeApproximately(0.5, 0.15);
    }

    [Fact]
    public void The_same_seed_gives_the_same_probe()
    {
        var labels = Labels();
        var vectors = Vectors(labels, encodeClass: true, noise: 1);
        var table = UserTable(labels);

        var first = UserAttributeProbe.Run(vectors, table, "user_id", ["segment"], IsTrain, seed: 4, epochs: 5).Single();
        var second = UserAttributeProbe.Run(vectors, table, "user_id", ["segment"], IsTrain, seed: 4, epochs: 5).Single();

        second.Should().Be(first);
    }

    [Fact]
    public void Users_without_a_row_or_a_value_are_left_out()
    {
        var labels = Labels();
        var withGaps = labels.Select((l, i) => i % 10 == 1 ? null : l).ToArray();
        var table = DataTable.FromColumns("users.csv",
        [
            new("user_id", Enumerable.Range(0, Users).Select(i => i < 380 ? Key(i) : "other" + i.ToString(CultureInfo.InvariantCulture)).ToArray()),
            new("segment", withGaps),
        ]);

        var result = UserAttributeProbe.Run(Vectors(labels, encodeClass: true), table, "user_id", ["segment"], IsTrain, epochs: 5).Single();

        var kept = Enumerable.Range(0, 380).Where(i => i % 10 != 1).ToArray();
        result.TrainUsers.Should().Be(kept.Count(i => i % 4 != 0));
        result.TestUsers.Should().Be(kept.Count(i => i % 4 == 0));
    }

    [Fact]
    public void An_attribute_with_one_class_names_the_column()
    {
        var labels = Labels();
        var act = () => UserAttributeProbe.Run(Vectors(labels, encodeClass: true), UserTable(labels), "user_id", ["segment", "constant"], IsTrain, epochs: 1);

        var error = act.Should().Throw<DataFormatException>().Which;
        error.Location.Column.Should().Be("constant");
        error.Location.Path.Should().Be("users.csv");
        error.Message.Should().Contain("'constant'").And.Contain("found 1 classes");
    }

    [Fact]
    public void No_held_out_user_is_an_error_naming_the_column()
    {
        var labels = Labels();
        var act = () => UserAttributeProbe.Run(Vectors(labels, encodeClass: true), UserTable(labels), "user_id", ["segment"], _ => true, epochs: 1);

        act.Should().Throw<DataFormatException>().Which.Location.Column.Should().Be("segment");
    }
}
