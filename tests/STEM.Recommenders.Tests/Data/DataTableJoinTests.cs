using STEM.Recommenders.Data;

namespace STEM.Recommenders.Tests.Data;

public class DataTableJoinTests
{
    private static readonly DataTable Log = CsvTableReader.Parse("user,item,y\n1,a,1\n2,b,0\n3,a,1\n", "log.csv");

    [Fact]
    public void Left_join_keeps_every_row_and_leaves_unmatched_values_missing()
    {
        var users = CsvTableReader.Parse("user,age\n1,30\n3,40\n", "users.csv");

        var joined = Log.LeftJoin(users, "user");

        joined.RowCount.Should().Be(3);
        joined.Column("age")[0].Should().Be("30");
        joined.Column("age")[1].Should().BeNull();
        joined.Column("age")[2].Should().Be("40");
        joined.Column("age").LocationOf(2).Should().Be(new SourceLocation("users.csv", 3, "age"));
    }

    [Fact]
    public void A_duplicate_key_in_the_side_table_names_both_lines()
    {
        var users = CsvTableReader.Parse("user,age\n1,30\n2,31\n1,32\n", "users.csv");

        var act = () => Log.LeftJoin(users, "user");

        act.Should().Throw<DataFormatException>().WithMessage("users.csv, line 4, column user: duplicate key '1' in side table (first seen on line 2)");
    }

    [Fact]
    public void Selections_compose_with_joins()
    {
        var items = CsvTableReader.Parse("item,color\na,red\nb,blue\n", "items.csv");

        var joined = Log.Where(r => Log.Column("y")[r] == "1").LeftJoin(items, "item");

        joined.RowCount.Should().Be(2);
        joined.Column("user")[1].Should().Be("3");
        joined.Column("color")[1].Should().Be("red");
        joined.LocationOf(1).Line.Should().Be(4);
    }
}
