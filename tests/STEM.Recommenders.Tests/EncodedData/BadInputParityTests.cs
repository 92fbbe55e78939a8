using System.Globalization;
using System.Text;
using STEM.Recommenders.Data;
using STEM.Recommenders.Hosting;

namespace STEM.Recommenders.Tests.EncodedData;

/// <summary>
/// Everything the in-memory path rejects, the streaming path (data.cache, small chunks) rejects
/// with the same message: each case is run both ways on custom data with a side table.
/// </summary>
public class BadInputParityTests
{
    private const string Header = "user_id,item,price,tags,click,buy";

    public static TheoryData<string, string, string, string> Cases => new()
    {
        // name, which file to damage, the line to put there, the expected message's tail
        { "a non-numeric price on a late row", "train", "u1,i1,cheap,a|b,1,yes", "column price: 'cheap' is not a number (feature 'price')" },
        { "a label that is neither positive nor negative", "validation", "u1,i1,3.5,a,1,maybe", "column buy: label 'maybe' for task 'buy' is neither positive (yes) nor negative (no)" },
        { "a missing label where none is allowed", "test", "u1,i1,3.5,a,1,", "column buy: missing label for task 'buy'" },
        { "a ragged row", "train", "u1,i1,3.5", "expected 6 fields (as in the header) but found 3" },
        { "a bad value in a side row that the log joins", "items", "i11,k2,oops", "column weight: 'oops' is not a number (feature 'weight')" },
        { "a duplicate side key", "items", "i7,k9,1.5", "column item: duplicate key 'i7' in side table (first seen on line 9)" },
        { "a bad value in a side row that no log row joins", "items", "i99,k2,oops", "column weight: 'oops' is not a number (feature 'weight')" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_streaming_path_rejects_what_the_in_memory_path_rejects_with_the_same_message(string name, string file, string line, string message)
    {
        _ = name;
        var directory = TestPaths.TempDirectory();
        var files = new Dictionary<string, string>
        {
            ["train"] = Rows(300, 1),
            ["validation"] = Rows(80, 2),
            ["test"] = Rows(80, 3),
            ["items"] = "item,kind,weight\n" + string.Concat(Enumerable.Range(0, 11).Select(i => $"i{i},k{i % 3},{i * 0.5}\n")), // i11 (in the log) has no side row
        };

        // The damaged line goes near the end, so that the streaming path meets it in a later chunk.
        var lines = files[file].TrimEnd('\n').Split('\n').ToList();
        lines.Insert(lines.Count - 2, line);
        files[file] = string.Join('\n', lines) + "\n";
        var damagedLine = lines.Count - 2; // 1-based line number of the inserted row
        foreach (var (key, text) in files)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, key + ".csv"), text);
        }

        var config = ExperimentConfigLoader.Parse(Json(directory));
        var runner = new ExperimentRunner();
        var inMemory = async () => await runner.TrainAsync(config);
        var streaming = async () => await runner.TrainAsync(config with { Data = config.Data with { Cache = Path.Combine(directory, "cache"), CacheChunkRows = 16 } });

        var expected = (await inMemory.Should().ThrowAsync<DataFormatException>()).Which.Message;
        expected.Should().StartWith($"{Path.Combine(directory, file + ".csv")}, line {damagedLine}").And.EndWith(message);
        (await streaming.Should().ThrowAsync<DataFormatException>()).Which.Message.Should().Be(expected);
        Directory.Exists(Path.Combine(directory, "cache", "train")).Should().BeFalse("a failed build leaves no cache");
    }

    private static string Rows(int count, int seed)
    {
        var random = new Random(seed);
        var text = new StringBuilder(Header).Append('\n');
        for (var r = 0; r < count; r++)
        {
            text.Append(CultureInfo.InvariantCulture, $"u{random.Next(20)},i{random.Next(12)},{random.NextDouble() * 9:F2},{(random.Next(2) == 0 ? "a|b" : "c")},{random.Next(2)},{(random.Next(3) == 0 ? "yes" : "no")}\n");
        }

        return text.ToString();
    }

    private static string Json(string directory)
    {
        string P(string name) => Path.Combine(directory, name + ".csv").Replace("\\", "\\\\", StringComparison.Ordinal);
        return $$"""
            {
              "data": {
                "train": "{{P("train")}}", "validation": "{{P("validation")}}", "test": "{{P("test")}}",
                "joins": [ { "path": "{{P("items")}}", "key": "item" } ],
                "schema": {
                  "features": [
                    { "type": "categorical", "name": "user_id" },
                    { "type": "categorical", "name": "item" },
                    { "type": "categorical", "name": "kind" },
                    { "type": "numeric", "name": "price" },
                    { "type": "numeric", "name": "weight" },
                    { "type": "multi_value", "name": "tags", "separator": "|", "maxLength": 2 }
                  ],
                  "tasks": [
                    { "name": "click" },
                    { "name": "buy", "positiveValues": ["yes"], "negativeValues": ["no"], "allowMissing": false }
                  ],
                  "groupColumn": "user_id"
                }
              },
              "model": { "model": "shared-bottom" },
              "training": { "epochs": 1, "batchSize": 64 },
              "runtime": { "device": "cpu" }
            }
            """;
    }
}
