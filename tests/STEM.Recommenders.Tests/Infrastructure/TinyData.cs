using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Tests.Infrastructure;

/// <summary>Small layouts, batches and model options that keep model tests fast.</summary>
public static class TinyData
{
    /// <summary>Four single-slot fields (one shared-only) and one 3-slot multi-valued field.</summary>
    public static FeatureLayout Layout { get; } = new(
    [
        ("a", 5L, 1, true),
        ("b", 7L, 1, true),
        ("c", 3L, 1, false),
        ("m", 6L, 3, true),
        ("d", 4L, 1, true),
    ]);

    /// <summary>Random valid ids (and slot weights) for the layout.</summary>
    public static FeatureBatch Batch(FeatureLayout layout, int rows, long seed = 1)
    {
        using var generator = new Generator((ulong)seed);
        var ids = zeros(rows, layout.SlotCount, ScalarType.Int64);
        foreach (var field in layout.Fields)
        {
            for (var s = 0; s < field.SlotCount; s++)
            {
                ids[.., field.FirstSlot + s] = randint(field.Offset, field.Offset + field.Rows, [rows], dtype: ScalarType.Int64, generator: generator);
            }
        }

        var weights = layout.HasPooledFields ? rand([rows, layout.SlotCount], generator: generator) : null;
        return new FeatureBatch(ids, weights);
    }

    public static readonly string[] Tasks3 = ["click", "long_view", "like"];

    public static readonly string[] Tasks2 = ["click", "like"];

    /// <summary>Small options of every model, so that tests run in milliseconds.</summary>
    public static ModelOptions Small(string model) => model switch
    {
        StemNet.Name => new StemNetOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2 },
        Mmoe.Name => new MmoeOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], Experts = 3 },
        Omoe.Name => new OmoeOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], Experts = 3 },
        Ple.Name => new PleOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2, Levels = 2 },
        SharedBottom.Name => new SharedBottomOptions { EmbeddingDim = 4, BottomUnits = [8, 6], TowerUnits = [4] },
        SingleTask.Name => new SingleTaskOptions { EmbeddingDim = 4, BottomUnits = [8, 6], TowerUnits = [4] },
        MeMmoe.Name => new MeMmoeOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2 },
        MePle.Name => new MePleOptions { EmbeddingDim = 4, ExpertUnits = [8, 6], GateUnits = [5], TowerUnits = [4], SharedExperts = 2, Levels = 2 },
        Esmm.Name => new EsmmOptions { EmbeddingDim = 4, TowerUnits = [8, 6] },
        Aitm.Name => new AitmOptions { EmbeddingDim = 4, TowerUnits = [8, 6] },
        _ => throw new ArgumentException(model),
    };

    public static IEnumerable<object[]> ModelNames => ModelCatalog.Names.Select(n => new object[] { n });
}
