using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// The rules of <see cref="ExpertPool.Calibrate"/> apart from the clock: how passes are timed and
/// which execution wins, so that they can be held by tests with made-up times.
/// </summary>
internal static class CalibrationTiming
{
    /// <summary>
    /// Runs <paramref name="pass"/> once untimed (the first pass pays for allocator growth and
    /// kernel selection), then <paramref name="repeats"/> times, and returns the fastest of those:
    /// the minimum is the time least disturbed by the rest of the machine.
    /// </summary>
    /// <param name="repeats">Timed passes, at least 1.</param>
    /// <param name="pass">Runs one pass and returns its time.</param>
    public static double BestOf(int repeats, Func<double> pass)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        pass();
        var best = double.PositiveInfinity;
        for (var r = 0; r < repeats; r++)
        {
            best = Math.Min(best, pass());
        }

        return best;
    }

    /// <summary>
    /// The best of <paramref name="repeats"/> timed forward + backward passes of
    /// <paramref name="forward"/> on <paramref name="input"/> (after one untimed), in ms; each pass
    /// frees its tensors.
    /// </summary>
    public static double ForwardBackwardMs(int repeats, Tensor input, Func<Tensor, Tensor> forward) =>
        BestOf(repeats, () =>
        {
            using var pass = NewDisposeScope();
            var clock = System.Diagnostics.Stopwatch.StartNew();
            forward(input).sum().backward();
            return clock.Elapsed.TotalMilliseconds;
        });

    /// <summary>The faster execution; a tie keeps <see cref="ExpertExecution.Batched"/>, the default.</summary>
    public static ExpertExecution Faster(double batchedMs, double separateMs) =>
        separateMs < batchedMs ? ExpertExecution.Separate : ExpertExecution.Batched;

    /// <summary>
    /// bfloat16 when its pass takes less than (1 − <paramref name="margin"/>) of float32's, else
    /// float32: a tie, or a gain inside the margin, is not worth bfloat16's rounding.
    /// </summary>
    public static Precision FasterPrecision(double float32Ms, double bfloat16Ms, double margin) =>
        bfloat16Ms < float32Ms * (1 - margin) ? Precision.BFloat16 : Precision.Float32;
}
