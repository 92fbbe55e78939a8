using STEM.Recommenders.Modules;
using TorchSharp.Modules;

namespace STEM.Recommenders.Models;

/// <summary>
/// The matrix-product work of one training sample, read from a built model's linear layers: every
/// <see cref="StackedMlp"/> layer (N matrices of [in, out], one per expert, gate or tower) and every
/// <see cref="Linear"/> module. Forward is 2 · in · out FLOP per matrix and sample; backward twice
/// that (the input gradient dY · Wᵀ and the weight gradient Xᵀ · dY).
/// </summary>
/// <remarks>
/// <para>Every built-in model runs each of its linear layers once per batch row, so a layer's
/// per-sample count is its per-row count; an <see cref="ExpertPool"/> runs all N experts on every
/// row (the gathered view of each expert is computed, whichever view it reads).</para>
/// <para>Left out: the gate-weighted mixture of expert outputs (2 · G · E · h per row and einsum,
/// under 1 % of STEM-Net's products at the paper's sizes), embedding lookups, activations, softmax,
/// the loss and the optimizer, which are memory-bound rather than products. The input gradient of
/// a first layer is counted as computed: the built-in models train their embeddings, so the
/// input of every first layer requires a gradient.</para>
/// </remarks>
public static class ModelCompute
{
    /// <summary>The model's linear layers with their per-sample work, in module order.</summary>
    /// <param name="model">A built model.</param>
    public static ModelFlops Count(IMultiTaskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var modules = model.TorchModule.named_modules().ToArray();
        var expertStacks = modules.Select(m => m.module).OfType<ExpertPool>().Select(p => p.Experts).ToHashSet();
        var layers = new List<LinearLayerWork>();
        foreach (var (name, module) in modules)
        {
            switch (module)
            {
                case StackedMlp stack:
                    for (var l = 0; l < stack.LayerCount; l++)
                    {
                        var shape = stack.Weight(l).shape; // [N, in, out]
                        layers.Add(new LinearLayerWork(name, l, (int)shape[0], (int)shape[1], (int)shape[2], expertStacks.Contains(stack)));
                    }

                    break;
                case Linear linear:
                    var weight = linear.weight!.shape; // [out, in]
                    layers.Add(new LinearLayerWork(name, 0, 1, (int)weight[1], (int)weight[0], IsExpert: false));
                    break;
            }
        }

        return new ModelFlops(layers);
    }
}
