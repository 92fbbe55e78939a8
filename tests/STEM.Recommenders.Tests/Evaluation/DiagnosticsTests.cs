using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Evaluation.Reports;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Evaluation;

public class DiagnosticsTests
{
    [Fact]
    public void Gate_mass_splits_into_own_other_and_shared_and_sums_to_one()
    {
        using var data = SyntheticSplits.Create(rows: 400);
        manual_seed(2);
        using var model = new StemNet(data.Pipeline.Layout, data.Pipeline.TaskNames, new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [8], GateUnits = [6], TowerUnits = [4], SharedExperts = 3 });

        var report = GateDiagnostics.Compute(model, data.Test, batchSize: 17);

        report.ExpertOwners.Should().Equal(0, 1, -1, -1, -1);
        foreach (var task in report.Tasks)
        {
            (task.OwnExperts + task.OtherTasksExperts + task.SharedExperts).Should().BeApproximately(1, 1e-6);
            task.OtherTasksExperts.Should().BeGreaterThan(0, "AFTB mixes other tasks' experts in the forward pass");
        }

        report.ExpertUtilisation.Sum().Should().BeApproximately(1, 1e-6);
        report.NormalisedEntropy.Should().BeInRange(0.9, 1.0, "an untrained gate is close to uniform");

        // By hand for task 0 from the raw weights of one full-split batch.
        using var scope = NewDisposeScope();
        model.eval();
        var all = data.Test.GetBatch(arange(data.Test.Count));
        var weights = model.Forward(all.Features).GateWeights!;
        report.Tasks[0].OwnExperts.Should().BeApproximately(weights[0, .., 0].mean().item<float>(), 1e-5);
        report.Tasks[0].OtherTasksExperts.Should().BeApproximately(weights[0, .., 1].mean().item<float>(), 1e-5);
    }

    [Fact]
    public void Gradient_cosines_are_one_on_the_diagonal_and_symmetric()
    {
        using var data = SyntheticSplits.Create(rows: 400);
        manual_seed(2);
        using var model = new Mmoe(data.Pipeline.Layout, data.Pipeline.TaskNames, (MmoeOptions)TinyData.Small(Mmoe.Name));

        var report = GradientConflict.Compute(model, data.Train, batches: 3, batchSize: 64);

        report.Cosine[0, 0].Should().BeApproximately(1, 1e-5);
        report.Cosine[1, 1].Should().BeApproximately(1, 1e-5);
        report.Cosine[0, 1].Should().BeApproximately(report.Cosine[1, 0], 1e-6);
        report.Cosine[0, 1].Should().BeInRange(-1, 1).And.NotBe(0);
    }

    [Fact]
    public void Negative_transfer_groups_users_by_relative_training_feedback()
    {
        // Tasks a, b; global training rates are 0.5 each.
        // u1: a always, b never → q = ((4+.5)/5/.5) / ((0+.5)/5/.5) = 9 → ADominant.
        // u2: b always → BDominant. u3: half and half → Comparable. u4: only in test → Cold.
        var train = Table("train",
            ("u1", "1", "0"), ("u1", "1", "0"), ("u1", "1", "0"), ("u1", "1", "0"),
            ("u2", "0", "1"), ("u2", "0", "1"), ("u2", "0", "1"), ("u2", "0", "1"),
            ("u3", "1", "1"), ("u3", "0", "0"), ("u3", "1", "0"), ("u3", "0", "1"));
        var test = Table("test",
            ("u1", "1", "0"), ("u1", "0", "1"),
            ("u2", "1", "0"), ("u2", "0", "1"),
            ("u3", "1", "1"), ("u3", "0", "0"),
            ("u4", "1", "0"), ("u4", "0", "1"));
        var schema = new FeatureSchema { Features = [new CategoricalFeature { Name = "user" }], Tasks = [new TaskSpec { Name = "a" }, new TaskSpec { Name = "b" }], GroupColumn = "user" };
        var pipeline = FeaturePipeline.Fit(schema, train);
        using var trainData = pipeline.Encode(train, DatasetRole.Train);
        using var testData = pipeline.Encode(test, DatasetRole.Test);

        // "perfect" ranks every test row right; "inverted" ranks task a wrong everywhere.
        float[] perfect = [0.9f, 0.1f, 0.1f, 0.9f, 0.9f, 0.1f, 0.1f, 0.9f, 0.9f, 0.9f, 0.1f, 0.1f, 0.9f, 0.1f, 0.1f, 0.9f];
        var inverted = perfect.Select((p, i) => i % 2 == 0 ? 1 - p : p).ToArray();
        var report = NegativeTransferReport.Analyze(trainData, testData, "a", "b", new Dictionary<string, float[]> { ["single-task"] = perfect, ["mtl"] = inverted });

        report.Groups.Select(g => g.Group).Should().Equal(FeedbackGroup.Comparable, FeedbackGroup.ADominant, FeedbackGroup.BDominant, FeedbackGroup.Cold);
        report.Groups.Select(g => g.Samples).Should().Equal(2, 2, 2, 2);
        report.Groups.Should().OnlyContain(g => g.AucA["single-task"] == 1 && g.AucA["mtl"] == 0 && g.AucB["mtl"] == 1);
        report.Baseline.Should().Be("single-task");

        var markdown = new ComparisonReport([], [report]).ToMarkdown();
        markdown.Should().Contain("| ADominant | 2 | 1 |");
    }

    private static DataTable Table(string name, params (string User, string A, string B)[] rows) =>
        DataTable.FromColumns(name,
        [
            new("user", rows.Select(r => (string?)r.User).ToArray()),
            new("a", rows.Select(r => (string?)r.A).ToArray()),
            new("b", rows.Select(r => (string?)r.B).ToArray()),
        ]);
}
