using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Models;
using STEM.Recommenders.Tests.Infrastructure;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Training;

/// <summary>
/// The optimizers' and loss weightings' lifecycle: arguments checked by name, saved state whose
/// moments are not finite refused at load with the moment named, and Dispose releasing every tensor
/// and handing the embedding banks back in dense mode. The mutation run in docs/testing.md showed
/// which of these no test asserted.
/// </summary>
public class OptimizerLifecycleTests
{
    private static readonly FeatureLayout Layout = FeatureLayout.Categorical([3, 4, 2], [true, true, false]);

    private static StemNet Model()
    {
        manual_seed(9);
        return new StemNet(Layout, TinyData.Tasks2, new StemNetOptions { EmbeddingDim = 3, ExpertUnits = [5], GateUnits = [], TowerUnits = [], SharedExperts = 1 });
    }

    [Fact]
    public void Null_arguments_are_refused_by_name()
    {
        using var model = Model();
        using var dense = new DenseAdam([.. model.parameters()]);
        using var sparse = new RowSparseAdam(model.EmbeddingBanks);
        using var fixedWeights = new FixedWeighting();
        using var uncertainty = new UncertaintyWeighting();
        using var gradnorm = new GradNormWeighting();

        FluentActions.Invoking(() => new DenseAdam(null!)).Should().Throw<ArgumentNullException>().WithParameterName("parameters");
        FluentActions.Invoking(() => dense.Save(null!)).Should().Throw<ArgumentNullException>().WithParameterName("writer");
        FluentActions.Invoking(() => dense.Load(null!)).Should().Throw<ArgumentNullException>().WithParameterName("reader");
        FluentActions.Invoking(() => new RowSparseAdam(null!)).Should().Throw<ArgumentNullException>().WithParameterName("banks");
        FluentActions.Invoking(() => sparse.Save(null!)).Should().Throw<ArgumentNullException>().WithParameterName("writer");
        FluentActions.Invoking(() => sparse.Load(null!)).Should().Throw<ArgumentNullException>().WithParameterName("reader");
        foreach (var weighting in new ILossWeighting[] { fixedWeights, uncertainty, gradnorm })
        {
            FluentActions.Invoking(() => weighting.Attach(null!)).Should().Throw<ArgumentNullException>(weighting.Name).WithParameterName("model");
            FluentActions.Invoking(() => weighting.Backward(null!, null)).Should().Throw<ArgumentNullException>(weighting.Name).WithParameterName("taskLosses");
        }

        FluentActions.Invoking(() => gradnorm.Save(null!)).Should().Throw<ArgumentNullException>().WithParameterName("writer");
        FluentActions.Invoking(() => gradnorm.Load(null!)).Should().Throw<ArgumentNullException>().WithParameterName("reader");
    }

    [Theory]
    [InlineData(float.NaN, "first moment 0")]
    [InlineData(1e30f, "second moment 0")]
    public void Dense_adam_refuses_saved_moments_that_are_not_finite(float gradient, string moment)
    {
        // A gradient of 1e30 keeps the first moment finite (1e29) and overflows the second (1e57).
        using var parameter = new Parameter(zeros(3));
        using var source = new DenseAdam([parameter]);
        using (var g = full(3, gradient))
        {
            source.Step(0.1, [g]);
        }

        using var stream = SavedState.Of(source.Save);
        using var target = new DenseAdam([new Parameter(zeros(3))]);

        var act = () => target.Load(new BinaryReader(stream));

        act.Should().Throw<InvalidDataException>().WithMessage($"tensor '{moment}' holds a non-finite value*");
    }

    [Theory]
    [InlineData(float.NaN, "first moment of table 0")]
    [InlineData(1e30f, "second moment of table 0")]
    public void Row_sparse_adam_refuses_saved_moments_that_are_not_finite(float gradient, string moment)
    {
        using var model = Model();
        using var source = new RowSparseAdam(model.EmbeddingBanks);
        var table = model.EmbeddingBanks[0].Tables.First();
        using (var scope = NewDisposeScope())
        {
            source.Step(0.1, [(table, tensor(new long[] { 1 }), full(1, table.shape[1], gradient))]);
        }

        using var stream = SavedState.Of(source.Save);
        using var other = Model();
        using var target = new RowSparseAdam(other.EmbeddingBanks);

        var act = () => target.Load(new BinaryReader(stream));

        act.Should().Throw<InvalidDataException>().WithMessage($"tensor '{moment}' holds a non-finite value*");
    }

    [Fact]
    public void Row_sparse_adam_refuses_state_for_another_number_of_tables()
    {
        using var model = Model();
        using var optimizer = new RowSparseAdam(model.EmbeddingBanks);
        var tables = model.EmbeddingBanks.Sum(b => b.Tables.Count());
        using var stream = SavedState.Of(w => w.Write(tables + 3));

        var act = () => optimizer.Load(new BinaryReader(stream));

        act.Should().Throw<InvalidDataException>().WithMessage($"The row-sparse optimizer state has {tables + 3} tables; this model has {tables}.");
    }

    [Fact]
    public void Disposing_the_optimizers_releases_their_moments_and_returns_the_banks_to_dense_lookups()
    {
        using var model = Model();
        model.train();
        var before = LiveTensors.Settled();
        var dense = new DenseAdam([.. model.parameters()]);
        var sparse = new RowSparseAdam(model.EmbeddingBanks);
        using (var scope = NewDisposeScope())
        {
            model.forward(TinyData.Batch(Layout, 6)).Logits.sum().backward();
        }

        model.EmbeddingBanks.Should().OnlyContain(b => b.RowSparseGradients && b.PendingLookups.Count > 0);

        dense.Dispose();
        sparse.Dispose();

        model.EmbeddingBanks.Should().OnlyContain(b => !b.RowSparseGradients && b.PendingLookups.Count == 0);
        LiveTensors.Settled().Should().Be(before, "both moments of every parameter and table are released");
    }

    [Fact]
    public void Disposing_gradnorm_releases_its_weights_and_initial_losses()
    {
        using var model = Model();
        var before = LiveTensors.Settled();
        var weighting = new GradNormWeighting();
        weighting.Attach(model);
        using (var scope = NewDisposeScope())
        {
            var logits = model.forward(TinyData.Batch(Layout, 6)).Logits;
            weighting.Backward(logits.square().mean([0L]), null);
        }

        // Attaching again releases the first attachment's task weights and initial losses.
        weighting.Attach(model);
        using (var scope = NewDisposeScope())
        {
            var logits = model.forward(TinyData.Batch(Layout, 6)).Logits;
            weighting.Backward(logits.square().mean([0L]), null);
        }

        weighting.Dispose();

        // TorchSharp's Parameter constructor moves the handle out of the tensor it is given, and that
        // emptied wrapper stays in Tensor.TotalCount though it holds no memory (new Parameter(ones(2))
        // disposed with its tensor still counts 1): one per Attach. Anything more is a leak.
        LiveTensors.Settled().Should().Be(before + 2, "the task weights of both attachments and the initial losses are released");
        weighting.TaskWeights.IsInvalid.Should().BeTrue();
    }
}
