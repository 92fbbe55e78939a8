using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// ESMM (Ma et al., SIGIR 2018): a tower per task over a shared embedding; task 0 is the entry task
/// (pCTR) and task t ≥ 1 outputs pCTR · pCVR_t, so both losses are taken over the full impression
/// space and the conditional pCVR_t never sees only clicked samples.
/// </summary>
public sealed class Esmm : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "esmm";

    private static readonly Scalar MaxLogProbability = (-1e-7).ToScalar();

    private readonly EmbeddingBank embedding;
    private readonly TaskTower towers;

    /// <summary>Builds the model.</summary>
    public Esmm(FeatureLayout layout, IReadOnlyList<string> taskNames, EsmmOptions? options = null)
        : base(Name, layout, taskNames, options ??= new EsmmOptions())
    {
        embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, 0, options.EmbeddingInitStd);
        towers = new TaskTower("towers", TaskCount, embedding.ViewWidth, Mlp(options.TowerUnits));
        RegisterComponents();
    }

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch)
    {
        var raw = towers.forward(embedding.forward(batch)[0]);
        if (TaskCount == 1)
        {
            return new MultiTaskOutput(raw);
        }

        // logit(pCTR · pCVR) from log-probabilities, so that neither probability underflows.
        var entry = raw.narrow(1, 0, 1);
        var logJoint = (nn.functional.logsigmoid(entry) + nn.functional.logsigmoid(raw.narrow(1, 1, TaskCount - 1))).clamp_max(MaxLogProbability);
        var joint = logJoint - (-logJoint.expm1()).log();
        return new MultiTaskOutput(cat([entry, joint], 1));
    }
}
