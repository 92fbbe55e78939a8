using STEM.Recommenders.Pretraining;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Pretraining;

public class ContrastiveLossTests
{
    // Unit vectors in the plane at these angles: za row i and zb row i are one user's two views.
    private static readonly double[] AnglesA = [0.0, 1.2, 2.5];
    private static readonly double[] AnglesB = [0.3, 0.9, -2.9];

    private static double[,] Unit(double[] angles)
    {
        var v = new double[angles.Length, 2];
        for (var i = 0; i < angles.Length; i++)
        {
            (v[i, 0], v[i, 1]) = (Math.Cos(angles[i]), Math.Sin(angles[i]));
        }

        return v;
    }

    private static Tensor ToTensor(double[,] v) => tensor(v).to(ScalarType.Float32);

    /// <summary>Symmetric InfoNCE in plain double arithmetic: log-softmax over rows and over columns.</summary>
    private static double HandLoss(double scale)
    {
        var (a, b) = (Unit(AnglesA), Unit(AnglesB));
        var n = AnglesA.Length;
        var logits = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < n; j++)
            {
                logits[i, j] = scale * ((a[i, 0] * b[j, 0]) + (a[i, 1] * b[j, 1]));
            }
        }

        double rows = 0, columns = 0;
        for (var i = 0; i < n; i++)
        {
            rows += Math.Log(Enumerable.Range(0, n).Sum(j => Math.Exp(logits[i, j]))) - logits[i, i];
            columns += Math.Log(Enumerable.Range(0, n).Sum(j => Math.Exp(logits[j, i]))) - logits[i, i];
        }

        return ((rows / n) + (columns / n)) / 2;
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(0.07)]
    public void A_fixed_temperature_gives_the_hand_computed_loss(double temperature)
    {
        using var loss = new ContrastiveLoss("nce", new ContrastiveLossOptions { Temperature = temperature, LearnableTemperature = false });
        using var scope = NewDisposeScope();

        var value = loss.forward(ToTensor(Unit(AnglesA)), ToTensor(Unit(AnglesB))).item<float>();

        var expected = HandLoss(1 / temperature);
        value.Should().BeApproximately((float)expected, (float)(1e-5 * Math.Max(1, expected)));
        loss.LogScale.Should().BeNull();
        loss.parameters().Should().BeEmpty();
        loss.Temperature.Should().Be(temperature);
    }

    [Fact]
    public void A_learnable_temperature_starts_at_the_option_and_gets_the_hand_computed_gradient()
    {
        using var loss = new ContrastiveLoss("nce", new ContrastiveLossOptions { Temperature = 0.2 });
        using var scope = NewDisposeScope();

        var value = loss.forward(ToTensor(Unit(AnglesA)), ToTensor(Unit(AnglesB)));
        value.backward();

        value.item<float>().Should().BeApproximately((float)HandLoss(5), 1e-5f);
        loss.Temperature.Should().BeApproximately(0.2, 1e-6);
        loss.parameters().Should().ContainSingle();
        // d loss / d log s = s · d loss / d s, by a central difference of the hand loss.
        const double h = 1e-5;
        var expected = 5 * (HandLoss(5 + h) - HandLoss(5 - h)) / (2 * h);
        loss.LogScale!.grad!.item<float>().Should().BeApproximately((float)expected, 1e-4f);
    }

    [Fact]
    public void The_learned_scale_is_capped_at_MaxLogitScale_with_no_gradient_beyond_it()
    {
        using var loss = new ContrastiveLoss("nce", new ContrastiveLossOptions { Temperature = 0.07, MaxLogitScale = 100 });
        using (no_grad())
        {
            using var big = Math.Log(1000).ToScalar();
            loss.LogScale!.fill_(big);
        }

        using var scope = NewDisposeScope();
        var value = loss.forward(ToTensor(Unit(AnglesA)), ToTensor(Unit(AnglesB)));
        value.backward();

        var expected = HandLoss(100);
        value.item<float>().Should().BeApproximately((float)expected, (float)(1e-5 * Math.Max(1, expected)));
        loss.Temperature.Should().BeApproximately(0.01, 1e-6);
        loss.LogitScale.Should().BeApproximately(100, 1e-3);
        loss.LogScale!.grad!.item<float>().Should().Be(0);
    }

    [Fact]
    public void Retrieval_accuracy_counts_rows_whose_partner_is_among_the_k_most_similar()
    {
        using var scope = NewDisposeScope();
        // za: the three axes. zb row 0 is closest to za row 0 (rank 1); zb row 1 is beaten by zb row 2
        // for za row 1 (rank 2); for za row 2 both other rows beat its partner (rank 3).
        var za = tensor(new float[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } });
        var zb = tensor(new float[,] { { 0.9f, 0, 0.5f }, { 0.2f, 0.3f, 0.6f }, { 0, 0.8f, 0.1f } });

        ContrastiveLoss.RetrievalAccuracy(za, zb, k: 1).Should().Be((1 / 3.0, 1 / 3.0));
        var (top1, top2) = ContrastiveLoss.RetrievalAccuracy(za, zb, k: 2);
        top1.Should().BeApproximately(1 / 3.0, 1e-12);
        top2.Should().BeApproximately(2 / 3.0, 1e-12);
        ContrastiveLoss.RetrievalAccuracy(za, zb, k: 3).TopK.Should().Be(1);
        ContrastiveLoss.RetrievalAccuracy(za, za).Should().Be((1.0, 1.0));
    }

    [Fact]
    public void Options_out_of_range_are_rejected_naming_the_option()
    {
        new ContrastiveLossOptions { Temperature = 0 }.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("ContrastiveLossOptions.Temperature *");
        new ContrastiveLossOptions { Temperature = 0.001 }.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("ContrastiveLossOptions.Temperature *");
        new ContrastiveLossOptions { MaxLogitScale = -1 }.Invoking(o => o.Validate()).Should().Throw<ArgumentException>().WithMessage("ContrastiveLossOptions.MaxLogitScale *");
        new ContrastiveLossOptions().Invoking(o => o.Validate()).Should().NotThrow();
    }

    [Fact]
    public void Fifty_steps_leave_the_number_of_live_tensors_flat()
    {
        manual_seed(21);
        using var loss = new ContrastiveLoss("nce", new ContrastiveLossOptions());
        using var inputs = NewDisposeScope();
        var za = nn.functional.normalize(randn(8, 4));
        var zb = nn.functional.normalize(randn(8, 4));

        void Step()
        {
            using var scope = NewDisposeScope();
            loss.forward(za, zb).backward();
        }

        Step();
        var before = LiveTensors.Settled();
        for (var i = 0; i < 50; i++)
        {
            Step();
        }

        Tensor.TotalCount.Should().Be(before);
    }
}
