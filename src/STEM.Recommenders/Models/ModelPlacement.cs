using STEM.Recommenders.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>Where a model's parts live: its embedding tables (<see cref="TablePlacement"/>) and its dense part.</summary>
public static class ModelPlacement
{
    /// <summary>
    /// Places every embedding bank's tables. Call it before moving the model to its device
    /// (<c>model.TorchModule.to(device)</c>), so that host-placed tables are never copied to the device.
    /// </summary>
    /// <returns>The model.</returns>
    public static IMultiTaskModel PlaceTables(this IMultiTaskModel model, TablePlacement placement)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!Enum.IsDefined(placement))
        {
            throw new ArgumentOutOfRangeException(nameof(placement), placement, "TablePlacement must be Device or Host.");
        }

        foreach (var bank in model.EmbeddingBanks)
        {
            bank.TablePlacement = placement;
        }

        return model;
    }

    /// <summary>
    /// The device of the model's dense part (experts, gates, towers): where batches, losses and
    /// outputs live. It differs from the tables' device when they are placed on the host.
    /// </summary>
    public static Device DenseDevice(this IMultiTaskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var dense = model.DenseParameters();
        var parameter = dense.Count > 0 ? dense[0] : model.TorchModule.parameters().FirstOrDefault();
        return parameter?.device ?? CPU;
    }
}
