using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// An identity in the autograd graph that takes a <see cref="PhaseClock"/> lap when the gradient
/// passes through it backwards: the lap charges everything backward did since the previous lap to
/// the phase it names, i.e. the backward of what consumed this tensor in the forward pass.
/// </summary>
/// <remarks>
/// TorchSharp's custom function keeps an empty tensor of the output's shape per call until the
/// graph is freed (address space, not touched memory); the forward laps include that allocation.
/// </remarks>
internal sealed class BackwardLap : autograd.SingleTensorFunction<BackwardLap>
{
    /// <inheritdoc />
    public override string Name => nameof(BackwardLap);

    /// <summary>Returns <paramref name="input"/> unchanged, with a lap named <paramref name="phase"/> on its way back.</summary>
    public static Tensor Mark(Tensor input, PhaseClock clock, string phase) => apply(input, clock, phase);

    /// <inheritdoc />
    public override Tensor forward(autograd.AutogradContext ctx, params object[] vars)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(vars);
        ctx.save_data("clock", vars[1]);
        ctx.save_data("phase", vars[2]);
        return ((Tensor)vars[0]).detach();
    }

    /// <inheritdoc />
    public override List<Tensor> backward(autograd.AutogradContext ctx, Tensor grad_output)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ((PhaseClock)ctx.get_data("clock")).Lap((string)ctx.get_data("phase"));
        return [grad_output, null!, null!];
    }
}
