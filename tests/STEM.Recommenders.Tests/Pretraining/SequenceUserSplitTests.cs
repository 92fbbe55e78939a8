using STEM.Recommenders.EncodedData;
using System.Globalization;
using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Tests.Pretraining;

public class SequenceUserSplitTests
{
    [Theory]
    [InlineData("", 0xcbf29ce484222325UL)]
    [InlineData("a", 0xaf63dc4c8601ec8cUL)]
    [InlineData("foobar", 0x85944171f73967e8UL)]
    public void Fnv1a64_matches_the_published_test_vectors(string key, ulong expected)
    {
        UserSplit.Fnv1a64(key).Should().Be(expected);
    }

    [Fact]
    public void The_same_user_always_lands_in_the_same_split_and_fractions_are_roughly_right()
    {
        var keys = Enumerable.Range(0, 10_000).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray();

        var split = UserSplit.Create(keys);
        var again = UserSplit.Create(keys.Reverse());

        // SetEquals, not BeEquivalentTo: FluentAssertions compares large collections pairwise.
        split.Train.SetEquals(again.Train).Should().BeTrue();
        split.Validation.SetEquals(again.Validation).Should().BeTrue();
        (split.Train.Count + split.Validation.Count + split.Test.Count).Should().Be(10_000);
        split.Train.Count.Should().BeInRange(7_800, 8_200);
        split.Validation.Count.Should().BeInRange(900, 1_100);
        split.Test.Count.Should().BeInRange(900, 1_100);
        split.Train.Overlaps(split.Validation).Should().BeFalse();
        split.Train.Overlaps(split.Test).Should().BeFalse();
        foreach (var key in keys.Take(100))
        {
            var role = UserSplit.RoleOf(key);
            (role switch { DatasetRole.Train => split.Train, DatasetRole.Validation => split.Validation, _ => split.Test }).Should().Contain(key);
        }
    }

    [Fact]
    public void Other_fractions_are_honoured_and_bad_ones_refused()
    {
        var keys = Enumerable.Range(0, 10_000).Select(i => "user-" + i.ToString(CultureInfo.InvariantCulture)).ToArray();

        var split = UserSplit.Create(keys, new UserSplitOptions { TrainFraction = 0.5, ValidationFraction = 0.5, TestFraction = 0 });
        var bad = () => UserSplit.Create(keys, new UserSplitOptions { TrainFraction = 0.9 });

        split.Test.Should().BeEmpty();
        split.Train.Count.Should().BeInRange(4_800, 5_200);
        bad.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("UserSplitOptions.TestFraction must make the three fractions sum to 1.");
    }
}
