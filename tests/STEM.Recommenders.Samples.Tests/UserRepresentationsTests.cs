namespace STEM.Recommenders.Samples.Tests;

/// <summary>Runs the built UserRepresentations sample (pretrain → embed → STEM-Net with and without the vectors) with one pretraining epoch and two training epochs.</summary>
public class UserRepresentationsTests
{
    [Fact]
    public void The_sample_pretrains_embeds_and_prints_both_rows_of_the_auc_table()
    {
        var (exitCode, text) = SampleProcess.Run("UserRepresentations", "--epochs 2 --pretrain-epochs 1", TimeSpan.FromMinutes(5));
        exitCode.Should().Be(0, text);
        text.Should().Contain("CLUE pretraining: ").And.Contain("users with two views").And.Contain("Embedded 3,295 users (32 dimensions)");
        foreach (var variant in new[] { "| stem-net |", "| stem-net + CLUE vectors |" })
        {
            var row = text.Split('\n').Single(l => l.StartsWith(variant, StringComparison.Ordinal));
            var aucs = row.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Skip(1)
                .Select(v => double.Parse(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
            aucs.Should().HaveCount(4).And.OnlyContain(a => a > 0 && a < 1, $"{variant} prints three task AUCs and their mean");
            aucs[0].Should().BeGreaterThan(0.5, "two epochs learn is_click above chance");
        }
    }
}
