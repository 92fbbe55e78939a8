using System.Diagnostics;
using STEM.Recommenders.Modules;
using STEM.Recommenders.Pretraining;
using STEM.Recommenders.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Benchmarks;

/// <summary>
/// Where a CLUE step's time goes: a hand loop equal to Pretrainer's step (same order of
/// operations, clip 1.0, <see cref="DenseAdam"/>), timed part by part. On the CPU every operation
/// runs synchronously, so a stopwatch between the parts measures them.
/// </summary>
internal static class PretrainBreakdown
{
    public static string Measure(ClueEncoder encoder, ContrastiveLoss loss, UserPairSet train, int batch, int steps)
    {
        var parameters = encoder.parameters().Concat(loss.parameters()).Where(p => p.requires_grad).ToArray();
        using var adam = new DenseAdam(parameters);
        using var generator = new Generator(2023);
        using var order = randperm(train.Count, generator: generator, dtype: ScalarType.Int64);
        var perEpoch = train.Count / batch;
        var parts = new double[6]; // take, forward, loss, backward, clip, adam + zero
        var clock = Stopwatch.StartNew();
        for (var s = 0; s < steps; s++)
        {
            using var scope = NewDisposeScope();
            var t0 = clock.Elapsed;
            var pair = train.Take(order.narrow(0, (long)(s % perEpoch) * batch, batch));
            var both = new UserSequenceBatch(cat([pair.A.Tokens, pair.B.Tokens], 0), cat([pair.A.ItemMask, pair.B.ItemMask], 0));
            var t1 = clock.Elapsed;
            var z = encoder.forward(both);
            var t2 = clock.Elapsed;
            var value = loss.forward(z.narrow(0, 0, batch), z.narrow(0, batch, batch));
            var t3 = clock.Elapsed;
            value.backward();
            var t4 = clock.Elapsed;
            nn.utils.clip_grad_norm_(parameters, 1.0);
            var t5 = clock.Elapsed;
            adam.Step(1e-3, parameters.Select(p => p.grad).ToArray());
            foreach (var p in parameters)
            {
                p.grad?.zero_();
            }

            var t6 = clock.Elapsed;
            TimeSpan[] marks = [t0, t1, t2, t3, t4, t5, t6];
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] += (marks[i + 1] - marks[i]).TotalMilliseconds;
            }
        }

        string[] names = ["batch", "forward", "loss", "backward", "clip", "adam"];
        return "  breakdown ms/step: " + string.Join(", ", names.Select((n, i) => $"{n} {parts[i] / steps:N1}")) + $" (hand loop, {steps} steps)";
    }
}
