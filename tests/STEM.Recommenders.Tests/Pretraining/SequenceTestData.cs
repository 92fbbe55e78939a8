using STEM.Recommenders.Data;
using STEM.Recommenders.Pretraining;

namespace STEM.Recommenders.Tests.Pretraining;

/// <summary>Hand-made event logs whose sequences can be written out by hand.</summary>
internal static class SequenceTestData
{
    /// <summary>
    /// u1: a@10 (main), b@20 (other), b2@20 (main, after b in the file), c@30 (main, three tags);
    /// u2: a@5 (other). Rows deliberately out of time order.
    /// </summary>
    public const string Csv =
        "user,t,item,tag,click,svc\n" +
        "u1,30,c,x;y;z,1,main\n" +
        "u1,10,a,,0,main\n" +
        "u1,20,b,x,1,other\n" +
        "u2,5,a,x,0,other\n" +
        "u1,20,b2,y,0,main\n";

    public static DataTable Table(string csv = Csv) => CsvTableReader.Parse(csv, "events.csv");

    /// <summary>K = 1 (item) + 2 (tag) + 1 (click) = 4.</summary>
    public static SequenceOptions Options(int maxLength = 3, int minEvents = 1) => new()
    {
        UserColumn = "user",
        TimeColumn = "t",
        Tokens = [TokenField.Categorical("item"), TokenField.MultiValue("tag", ";", 2), TokenField.Label("click")],
        MaxLength = maxLength,
        MinEventsPerView = minEvents,
        MinTokenCount = 1,
        Views = new ServiceViews { Column = "svc", FirstViewValues = ["main"] },
    };

    public static HashSet<string> Set(params string[] users) => new(users, StringComparer.Ordinal);

    public static long[] Longs(TorchSharp.torch.Tensor t) => t.data<long>().ToArray();

    public static bool[] Bools(TorchSharp.torch.Tensor t) => t.data<bool>().ToArray();
}
