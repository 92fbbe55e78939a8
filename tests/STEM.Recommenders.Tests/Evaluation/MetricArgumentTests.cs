using STEM.Recommenders.Evaluation;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Evaluation;

/// <summary>
/// What the Evaluation mutation run of 2026-12-03 (docs/testing.md) left alive: null arguments,
/// merging another task's state, and a log whose only group is group 0.
/// </summary>
public class MetricArgumentTests
{
    [Fact]
    public void Null_arguments_are_argument_errors_naming_the_parameter()
    {
        using var scope = NewDisposeScope();
        var accumulator = new MetricAccumulator(["a"]);
        var state = new TaskMetricState("a");

        FluentActions.Invoking(() => new MetricAccumulator(null!)).Should().Throw<ArgumentNullException>().WithParameterName("taskNames");
        FluentActions.Invoking(() => accumulator.Update(null!, tensor(new float[,] { { 1 } }))).Should().Throw<ArgumentNullException>().WithParameterName("probabilities");
        FluentActions.Invoking(() => accumulator.Update(tensor(new float[,] { { 0.5f } }), null!)).Should().Throw<ArgumentNullException>().WithParameterName("labels");
        FluentActions.Invoking(() => state.Group(null!)).Should().Throw<ArgumentNullException>().WithParameterName("key");
        FluentActions.Invoking(() => state.Merge(null!)).Should().Throw<ArgumentNullException>().WithParameterName("other");
    }

    [Fact]
    public void Merging_another_tasks_state_is_refused_and_leaves_the_state_as_it_was()
    {
        var state = new TaskMetricState("is_click");
        state.Add(0.9f, 1, "u1");
        state.Add(0.2f, 0, "u1");
        var other = new TaskMetricState("is_like");
        other.Add(0.1f, 1, "u1");

        var act = () => state.Merge(other);

        act.Should().Throw<ArgumentException>().WithMessage("Cannot merge the state of task 'is_like' into task 'is_click'.*").WithParameterName("other");
        var metrics = state.Compute();
        metrics.Count.Should().Be(2);
        metrics.Auc.Should().Be(1);
    }

    [Fact]
    public void A_log_whose_only_group_is_group_0_has_a_gauc()
    {
        using var scope = NewDisposeScope();
        var accumulator = new MetricAccumulator(["a"]);
        accumulator.Update(
            tensor(new float[,] { { 0.9f }, { 0.3f }, { 0.4f } }),
            tensor(new float[,] { { 1 }, { 1 }, { 0 } }),
            groups: tensor(new long[] { 0, 0, 0 }));

        var report = accumulator.Compute();

        // One group holding every row: its AUC, (1 + 0) / 2, is both the AUC and the gAUC.
        report["a"].Auc.Should().Be(0.5);
        report["a"].GAuc.Should().Be(0.5);
    }
}
