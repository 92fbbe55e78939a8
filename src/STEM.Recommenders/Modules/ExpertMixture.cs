using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>Gate-weighted sums of expert outputs, with an optional stop-gradient per (gate, expert).</summary>
public static class ExpertMixture
{
    /// <summary>
    /// out[g] = Σ_e w[g, :, e] · x[e], where the gradient reaches expert e through gate g only if
    /// <paramref name="passGradient"/>[g, e] is 1 (otherwise its output is detached for that gate).
    /// The forward value does not depend on the mask; the gate weights always receive gradient.
    /// </summary>
    /// <param name="weights">[G, B, E] gate weights.</param>
    /// <param name="experts">[E, B, h] expert outputs.</param>
    /// <param name="passGradient">[G, E] of 0/1, or <see langword="null"/> to pass every gradient.</param>
    /// <returns>[G, B, h].</returns>
    public static Tensor Mix(Tensor weights, Tensor experts, Tensor? passGradient = null)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(experts);
        if (passGradient is null)
        {
            return einsum("gbe,ebh->gbh", weights, experts);
        }

        var kept = weights * passGradient.unsqueeze(1);
        var through = einsum("gbe,ebh->gbh", kept, experts);
        var stopped = einsum("gbe,ebh->gbh", weights - kept, experts.detach());
        return through + stopped;
    }
}
