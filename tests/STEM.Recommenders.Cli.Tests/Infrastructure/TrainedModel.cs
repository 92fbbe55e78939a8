using STEM.Recommenders.Datasets;

namespace STEM.Recommenders.Cli.Tests.Infrastructure;

/// <summary>
/// One tiny MMoE trained once through <c>stem train</c> on 600 synthetic rows, shared by the tests
/// that evaluate, predict or feed bad data to an artifact; and the same synthetic rows as a CSV file.
/// </summary>
public sealed class TrainedModel : IAsyncLifetime
{
    public const string TinyConfig = """
        {
          "data": { "preset": "synthetic", "rows": 600 },
          "model": { "model": "mmoe", "experts": 2, "expertUnits": [8], "gateUnits": [4], "towerUnits": [4], "embeddingDim": 4 },
          "training": { "epochs": 1, "batchSize": 128 }
        }
        """;

    public string Directory { get; } = TestPaths.TempDirectory();

    public string ConfigPath => Path.Combine(Directory, "tiny.json");

    public string Output => Path.Combine(Directory, "run");

    public string Artifact => Path.Combine(Output, "model");

    /// <summary>The 600 synthetic rows (features, group and labels) as CSV: 16 numeric x0..x15, category, group, task0, task1.</summary>
    public string DataCsv => Path.Combine(Directory, "synthetic.csv");

    public CliResult Training { get; private set; } = null!;

    public static IReadOnlyList<string> Columns { get; } = [.. Enumerable.Range(0, 16).Select(i => $"x{i}"), "category", "group", "task0", "task1"];

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(ConfigPath, TinyConfig);
        var (table, _) = SyntheticMultiTaskGenerator.Generate(new SyntheticOptions { Rows = 600 });
        var lines = new List<string> { string.Join(',', table.ColumnNames) };
        for (var r = 0; r < table.RowCount; r++)
        {
            lines.Add(string.Join(',', table.Columns.Select(c => c[r])));
        }

        await File.WriteAllLinesAsync(DataCsv, lines);
        Training = await Stem.SucceedAsync("train", "--config", ConfigPath, "--output", Output, "--threads", "1");
    }

    public Task DisposeAsync()
    {
        TestPaths.Delete(Directory);
        return Task.CompletedTask;
    }

    /// <summary>A copy of the first rows of <see cref="DataCsv"/> with one line replaced.</summary>
    public string CsvWithLine(string name, int lineNumber, Func<string[], string> replace, int rows = 20)
    {
        var lines = File.ReadLines(DataCsv).Take(rows + 1).ToArray();
        lines[lineNumber - 1] = replace(lines[lineNumber - 1].Split(','));
        var path = Path.Combine(Directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }
}

[CollectionDefinition(Name)]
public sealed class TrainedModelGroup : ICollectionFixture<TrainedModel>
{
    public const string Name = "cli";
}
