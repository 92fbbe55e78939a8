using STEM.Recommenders.Models;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Models;

public class MultiTaskLossTests
{
    private static double Bce(double logit, double label) =>
        -((label * Math.Log(1 / (1 + Math.Exp(-logit)))) + ((1 - label) * Math.Log(1 - (1 / (1 + Math.Exp(-logit))))));

    [Fact]
    public void Masked_rows_do_not_count_in_their_task_loss()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[,] { { 0.5f, -1f }, { 2f, 0.3f }, { -0.7f, 1.1f } });
        var labels = tensor(new float[,] { { 1, 0 }, { 0, 1 }, { 1, 1 } });
        var mask = tensor(new float[,] { { 1, 1 }, { 1, 0 }, { 1, 0 } });

        var losses = MultiTaskLoss.PerTask(logits, labels, mask).data<float>().ToArray();

        losses[0].Should().BeApproximately((float)((Bce(0.5, 1) + Bce(2, 0) + Bce(-0.7, 1)) / 3), 1e-6f);
        losses[1].Should().BeApproximately((float)Bce(-1, 0), 1e-6f);
    }
}
