using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Serving;

/// <summary>Who disposes the model of a created artifact, and layouts compared by identity, not totals.</summary>
public class ArtifactOwnershipTests
{
    private static Mmoe Model(FeatureLayout layout, IReadOnlyList<string> tasks)
    {
        manual_seed(2);
        return new Mmoe(layout, tasks, (MmoeOptions)TinyData.Small(Mmoe.Name));
    }

    [Fact]
    public void An_artifact_created_with_ownsModel_false_leaves_the_model_to_the_caller()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = Model(data.Pipeline.Layout, data.Pipeline.TaskNames);

        using (var artifact = ModelArtifact.Create(model, data.Pipeline, ownsModel: false))
        {
            artifact.OwnsModel.Should().BeFalse();
        }

        model.TorchModule.parameters().Should().OnlyContain(p => !p.IsInvalid, "the caller still owns the model");
        using var scope = NewDisposeScope();
        model.Forward(data.Test.GetBatch(arange(4)).Features).Logits.shape.Should().Equal(4, 2);
    }

    [Fact]
    public void An_artifact_created_without_saying_owns_and_disposes_the_model()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        var model = Model(data.Pipeline.Layout, data.Pipeline.TaskNames);
        var parameter = model.TorchModule.parameters().First();

        var artifact = ModelArtifact.Create(model, data.Pipeline);
        artifact.OwnsModel.Should().BeTrue();
        artifact.Dispose();

        parameter.IsInvalid.Should().BeTrue();
    }

    [Fact]
    public void A_layout_with_equal_totals_but_other_fields_is_refused_by_create_and_by_the_trainer()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        var layout = data.Pipeline.Layout;

        // Same fields, rows and slots in total, but the first two fields swapped in name.
        var renamed = new FeatureLayout(layout.Fields.Select((f, i) => (i == 0 ? layout.Fields[1].Name : i == 1 ? layout.Fields[0].Name : f.Name, f.Rows, f.SlotCount, f.TaskSpecific)));
        renamed.TotalRows.Should().Be(layout.TotalRows);
        renamed.SlotCount.Should().Be(layout.SlotCount);
        using var model = Model(renamed, data.Pipeline.TaskNames);

        var create = () => ModelArtifact.Create(model, data.Pipeline, ownsModel: false);
        var fit = () => new Trainer(new TrainerOptions { Epochs = 1 }).Fit(model, data.Train, data.Validation);

        create.Should().Throw<ArgumentException>().WithMessage(
            $"The model was built for another feature layout than the pipeline's: field 0 is '{layout.Fields[1].Name}' (*) in the model but '{layout.Fields[0].Name}' (*) in the pipeline.*");
        fit.Should().Throw<ArgumentException>().WithMessage(
            $"The train split was encoded with another feature layout than the model's: field 0 is '{layout.Fields[0].Name}' (*) in the train split but '{layout.Fields[1].Name}' (*) in the model.*");
    }
}
