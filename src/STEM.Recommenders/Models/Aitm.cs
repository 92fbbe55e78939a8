using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>
/// AITM (Xi et al., KDD 2021) for sequentially dependent tasks (impression → click → conversion):
/// each task has a tower q_t; information p_(t-1) transferred from the previous task is merged with
/// q_t by self-attention (the AIT module) into z_t; a calibrator loss penalises p(t) &gt; p(t-1).
/// </summary>
public sealed class Aitm : MultiTaskModel
{
    /// <summary>The model's catalog name.</summary>
    public const string Name = "aitm";

    private readonly EmbeddingBank embedding;
    private readonly StackedMlp towers;
    private readonly ModuleList<Linear> transfers = new();
    private readonly ModuleList<Linear> values = new();
    private readonly ModuleList<Linear> keys = new();
    private readonly ModuleList<Linear> queries = new();
    private readonly StackedMlp outputs;
    private readonly double _calibratorWeight;

    /// <summary>Builds the model.</summary>
    public Aitm(FeatureLayout layout, IReadOnlyList<string> taskNames, AitmOptions? options = null)
        : base(Name, layout, taskNames, options ??= new AitmOptions())
    {
        embedding = new EmbeddingBank("embedding", layout, options.EmbeddingDim, 0, options.EmbeddingInitStd);
        towers = new StackedMlp("towers", TaskCount, embedding.ViewWidth, Mlp(options.TowerUnits));
        var h = towers.OutputDim;
        for (var t = 1; t < TaskCount; t++)
        {
            transfers.Add(Linear($"transfer{t}", h));
            values.Add(Linear($"value{t}", h));
            keys.Add(Linear($"key{t}", h));
            queries.Add(Linear($"query{t}", h));
        }

        outputs = new StackedMlp("outputs", TaskCount, h, Mlp([]), 1);
        _calibratorWeight = options.CalibratorWeight;
        RegisterComponents();
    }

    /// <inheritdoc />
    public override MultiTaskOutput forward(FeatureBatch batch)
    {
        var q = towers.forward(embedding.forward(batch)[0]);
        var z = new Tensor[TaskCount];
        z[0] = q[0];
        using var scale = Math.Sqrt(q.shape[2]).ToScalar();
        for (var t = 1; t < TaskCount; t++)
        {
            // AIT: attention over {p_(t-1), q_t}, each scored by <key(u), query(u)>.
            var p = nn.functional.relu(transfers[t - 1].forward(z[t - 1]));
            var u = stack([p, q[t]], 0);
            var score = (keys[t - 1].forward(u) * queries[t - 1].forward(u)).sum(-1, keepdim: true).div(scale);
            z[t] = (score.softmax(0) * values[t - 1].forward(u)).sum(dim: 0);
        }

        return new MultiTaskOutput(outputs.forward(stack(z, 0)).squeeze(-1).t());
    }

    /// <summary>α · mean over the batch of Σ_t max(p_t − p_(t-1), 0): later tasks should not be likelier than earlier ones.</summary>
    public override Tensor? AuxiliaryLoss(MultiTaskOutput output, Tensor labels, Tensor? labelMask)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (TaskCount == 1 || _calibratorWeight == 0)
        {
            return null;
        }

        var p = output.Logits.sigmoid();
        var violation = nn.functional.relu(p.narrow(1, 1, TaskCount - 1) - p.narrow(1, 0, TaskCount - 1));
        return violation.sum(dim: 1).mean() * _calibratorWeight;
    }

    private static Linear Linear(string name, int width)
    {
        var layer = nn.Linear(width, width);
        using (no_grad())
        {
            nn.init.xavier_normal_(layer.weight);
            layer.bias!.fill_(Scalars.Zero);
        }

        return layer;
    }
}
