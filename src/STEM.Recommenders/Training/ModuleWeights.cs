using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// Copies of a module's weights kept outside any dispose scope: the best weights of a run, taken
/// at an evaluation and put back when training ends. Shared by <see cref="Trainer"/> and the
/// pretrainer so both keep and restore weights the same way.
/// </summary>
internal static class ModuleWeights
{
    /// <summary>Copies the module's state into <paramref name="into"/> (allocated on first use) and returns it.</summary>
    public static Dictionary<string, Tensor> Snapshot(nn.Module module, Dictionary<string, Tensor>? into)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var current = module.state_dict();
        if (into is null)
        {
            return current.ToDictionary(kv => kv.Key, kv => kv.Value.detach().clone().DetachFromDisposeScope());
        }

        foreach (var (name, tensor) in current)
        {
            into[name].copy_(tensor);
        }

        return into;
    }

    /// <summary>Writes a snapshot back into the module's tensors.</summary>
    public static void Restore(nn.Module module, Dictionary<string, Tensor> weights)
    {
        using var _ = no_grad();
        foreach (var (name, tensor) in module.state_dict())
        {
            tensor.copy_(weights[name]);
        }
    }

    /// <summary>Disposes a snapshot's tensors.</summary>
    public static void Dispose(Dictionary<string, Tensor>? weights)
    {
        foreach (var t in weights?.Values ?? Enumerable.Empty<Tensor>())
        {
            t.Dispose();
        }
    }
}
