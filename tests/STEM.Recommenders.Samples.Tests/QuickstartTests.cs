namespace STEM.Recommenders.Samples.Tests;

/// <summary>Runs the README's main command (built Quickstart) with one quick model and one epoch.</summary>
public class QuickstartTests
{
    [Fact]
    public void Quickstart_trains_on_the_bundled_sample_and_prints_the_auc_table()
    {
        var (exitCode, text) = SampleProcess.Run("Quickstart", "--models shared-bottom --epochs 1 --batch-size 2048", TimeSpan.FromMinutes(5));
        exitCode.Should().Be(0, text);
        text.Should().Contain("Train 12,715 rows").And.Contain("validation 3,662").And.Contain("test 3,630");
        var row = text.Split('\n').Single(l => l.Contains("shared-bottom", StringComparison.Ordinal) && l.Contains('│'));
        var aucs = row.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1).Take(3)
            .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        aucs.Should().HaveCount(3).And.OnlyContain(a => a > 0 && a < 1, "per-task test AUCs are printed");
        aucs[0].Should().BeGreaterThan(0.55, "one epoch learns is_click");
        aucs[1].Should().BeGreaterThan(0.55, "one epoch learns long_view (is_like, 1.5% positives, needs more)");
    }
}
