using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;
using static STEM.Recommenders.Tests.Pretraining.SequenceTestData;

namespace STEM.Recommenders.Tests.Pretraining;

public class SequenceErrorTests
{
    [Fact]
    public void A_missing_user_column_names_the_file_the_column_and_the_option()
    {
        var act = () => UserEventLog.FromTable(Table(), Options() with { UserColumn = "uid" });

        act.Should().Throw<DataFormatException>().Which.Message.Should()
            .StartWith("events.csv").And.Contain("column 'uid' (SequenceOptions.UserColumn) not found").And.Contain("user, t, item");
    }

    [Fact]
    public void A_missing_time_column_names_the_file_the_column_and_the_option()
    {
        var act = () => UserEventLog.FromTable(Table(), Options() with { TimeColumn = "time_ms" });

        act.Should().Throw<DataFormatException>().Which.Message.Should()
            .StartWith("events.csv").And.Contain("column 'time_ms' (SequenceOptions.TimeColumn) not found");
    }

    [Fact]
    public void Missing_token_and_view_columns_are_named()
    {
        var noToken = () => UserEventLog.FromTable(Table(), Options() with { Tokens = [TokenField.Categorical("genre")] });
        var noView = () => UserEventLog.FromTable(Table(), Options() with { Views = new ServiceViews() });

        noToken.Should().Throw<DataFormatException>().Which.Message.Should().Contain("column 'genre'").And.Contain("Tokens field 'genre'");
        noView.Should().Throw<DataFormatException>().Which.Message.Should().Contain("column 'tab'").And.Contain("SequenceOptions.Views");
    }

    [Fact]
    public void A_time_that_is_not_a_number_names_file_line_and_column()
    {
        var csv = "user,t,item,tag,click,svc\nu1,1,a,,0,main\nu1,12:30,b,,0,main\n";

        var act = () => UserEventLog.FromTable(Table(csv), Options());

        var error = act.Should().Throw<DataFormatException>().Which;
        error.Message.Should().StartWith("events.csv, line 3, column t:").And.Contain("'12:30' is not a number");
        error.Location.Should().Be(new SourceLocation("events.csv", 3, "t"));
    }

    [Theory]
    [InlineData(0, "SequenceOptions.MaxLength must be at least 1.")]
    [InlineData(-1, "SequenceOptions.MaxLength must be at least 1.")]
    public void MaxLength_below_one_is_an_option_error(int maxLength, string message)
    {
        var act = () => UserEventLog.FromTable(Table(), Options(maxLength: maxLength));

        act.Should().Throw<ArgumentException>().Which.Message.Should().StartWith(message);
    }

    [Fact]
    public void Other_option_errors_name_the_option()
    {
        var noTokens = () => (Options() with { Tokens = [] }).Validate();
        var badMulti = () => (Options() with { Tokens = [TokenField.MultiValue("tag", ";", 0)] }).Validate();
        var badRandom = () => (Options() with { Views = new RandomViews { FirstViewFraction = 1 } }).Validate();
        var badK = () => (Options() with { MinEventsPerView = 0 }).Validate();

        noTokens.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("SequenceOptions.Tokens must list at least one token field.");
        badMulti.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("TokenField.MaxValues must be at least 1 (field 'tag').");
        badRandom.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("RandomViews.FirstViewFraction must be in (0, 1).");
        badK.Should().Throw<ArgumentException>().Which.Message.Should().StartWith("SequenceOptions.MinEventsPerView must be at least 1.");
    }
}
