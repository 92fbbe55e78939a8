using STEM.Recommenders.Evaluation;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Evaluation;

/// <summary>No metric is computed from NaN scores and no NaN score is handed out by the predictor.</summary>
public class NonFiniteScoreTests
{
    private static Mmoe PoisonedModel(STEM.Recommenders.Datasets.EncodedSplits data)
    {
        manual_seed(6);
        var model = new Mmoe(data.Pipeline.Layout, data.Pipeline.TaskNames, (MmoeOptions)TinyData.Small(Mmoe.Name));
        using var _ = no_grad();
        model.TorchModule.parameters().Last().fill_(float.NaN);
        return model;
    }

    [Fact]
    public void Evaluate_refuses_to_report_metrics_from_nan_scores()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var model = PoisonedModel(data);

        var act = () => Evaluator.Evaluate(model, data.Test);

        act.Should().Throw<InvalidDataException>().WithMessage("the model gave a non-finite score (NaN) for task 'task*'; no metric is computed from it*");
    }

    [Fact]
    public void The_evaluation_state_refuses_a_nan_score()
    {
        var state = new EvaluationState(["click"]);

        var act = () => state.Add(0, float.NaN, 1);

        act.Should().Throw<InvalidDataException>().WithMessage("the model gave a non-finite score (NaN) for task 'click'*");
    }

    [Fact]
    public void Predict_never_returns_a_nan_score()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        using var predictor = new Predictor(ModelArtifact.Create(PoisonedModel(data), data.Pipeline), ownsArtifact: true);

        var act = () => predictor.Predict(new Dictionary<string, string?>());

        act.Should().Throw<InvalidDataException>().WithMessage("request: the model gave a non-finite score (NaN) for row 1, task 'task0' (*");
    }
}
