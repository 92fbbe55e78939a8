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

        // What the reader itself refuses, inside a line.
        { "a quote inside an unquoted field", "train", "u1,i\"1,3.5,a,1,yes", "a quote inside an unquoted field; quote the whole field and double the quote (RFC 4180)" },
        { "a character after a closing quote", "validation", "u1,\"i1\"x,3.5,a,1,yes", "unexpected character 'x' after a closing quote; a field must end at its closing quote" },
        { "a NUL character in a field", "test", "u1,i1\0,3.5,a,1,yes", "a NUL character (byte 0) in a field; the file is binary or not UTF-8 text" },
        { "a NUL character in a side row", "items", "i5x\0,k1,2", "a NUL character (byte 0) in a field; the file is binary or not UTF-8 text" },
    };

    /// <summary>Damage to a whole file rather than one line: bytes, headers, emptiness, compression.</summary>
    public static TheoryData<string, string> FileCases => new()
    {
        { "invalid UTF-8 late in the log", "bytes that are not valid UTF-8; save the file as UTF-8" },
        { "a validation file without a feature column", "validation.csv, line 1, column price: column 'price' not found" },
        { "an empty test file", "the file is empty (no header and no rows)" },
        { "a gzip log cut short", "gzip" },
        { "a missing side table", "file not found" },
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

    [Theory]
    [MemberData(nameof(FileCases))]
    public async Task Damage_to_a_whole_file_is_rejected_alike_by_both_paths(string name, string message)
    {
        var directory = TestPaths.TempDirectory();
        var train = name == "a gzip log cut short" ? "train.csv.gz" : "train.csv";
        var files = new Dictionary<string, byte[]>
        {
            [train] = Encoding.UTF8.GetBytes(Rows(300, 1)),
            ["validation.csv"] = Encoding.UTF8.GetBytes(Rows(80, 2)),
            ["test.csv"] = Encoding.UTF8.GetBytes(Rows(80, 3)),
            ["items.csv"] = Encoding.UTF8.GetBytes("item,kind,weight\n" + string.Concat(Enumerable.Range(0, 12).Select(i => $"i{i},k{i % 3},{i * 0.5}\n"))),
        };
        switch (name)
        {
            case "invalid UTF-8 late in the log":
                files[train][files[train].Length - 20] = 0xFF;
                break;
            case "a validation file without a feature column":
                var kept = Rows(80, 2).TrimEnd('\n').Split('\n').Select(l => string.Join(',', l.Split(',').Where((_, i) => i != 2)));
                files["validation.csv"] = Encoding.UTF8.GetBytes(string.Join('\n', kept) + "\n");
                break;
            case "an empty test file":
                files["test.csv"] = [];
                break;
            case "a gzip log cut short":
                using (var packed = new MemoryStream())
                {
                    using (var gzip = new System.IO.Compression.GZipStream(packed, System.IO.Compression.CompressionLevel.Optimal, leaveOpen: true))
                    {
                        gzip.Write(files[train]);
                    }

                    files[train] = packed.ToArray()[..(int)(packed.Length * 2 / 3)];
                }

                break;
            case "a missing side table":
                files.Remove("items.csv");
                break;
        }

        foreach (var (key, bytes) in files)
        {
            await File.WriteAllBytesAsync(Path.Combine(directory, key), bytes);
        }

        var config = ExperimentConfigLoader.Parse(Json(directory, train));
        var runner = new ExperimentRunner();
        var inMemory = async () => await runner.TrainAsync(config);
        var streaming = async () => await runner.TrainAsync(config with { Data = config.Data with { Cache = Path.Combine(directory, "cache"), CacheChunkRows = 16 } });

        var expected = (await inMemory.Should().ThrowAsync<DataFormatException>()).Which.Message;
        expected.Should().StartWith(directory).And.Contain(message);
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

    private static string Json(string directory, string train = "train.csv")
    {
        string P(string name) => Path.Combine(directory, name == "train" ? train : name + ".csv").Replace("\\", "\\\\", StringComparison.Ordinal);
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
