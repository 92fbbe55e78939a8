using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Pretraining;

/// <summary>
/// Symmetric InfoNCE as in CLIP: with za, zb [B, D] L2-normalised views of the same B users (row i
/// of each is one user), logits = s · za zbᵀ and the loss is the mean of the cross-entropies of
/// matching a to b (rows) and b to a (columns), each averaged over the batch. The other users of
/// the batch are the negatives, so the loss depends on B (it is at most log B for useless vectors):
/// compare losses at one batch size only.
/// </summary>
/// <remarks>
/// The scale s = 1/τ is fixed, or learned as log s (initialised to log(1/τ)) and clamped in the
/// forward pass to at most log(MaxLogitScale), as in CLIP; at the cap its gradient is zero.
/// </remarks>
public sealed class ContrastiveLoss : nn.Module<Tensor, Tensor, Tensor>
{
    private readonly Parameter? log_scale;
    private readonly double _maxLogScale;

    /// <summary>Creates the loss.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="options">Temperature settings; validated here.</param>
    public ContrastiveLoss(string name, ContrastiveLossOptions options)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        _maxLogScale = Math.Log(options.MaxLogitScale);
        if (options.LearnableTemperature)
        {
            log_scale = new Parameter(tensor(Math.Log(1 / options.Temperature), ScalarType.Float32));
        }

        RegisterComponents();
    }

    /// <summary>The settings.</summary>
    public ContrastiveLossOptions Options { get; }

    /// <summary>The learned log of the logit scale (a scalar), or <see langword="null"/> for a fixed temperature. Unclamped: the forward pass applies the cap.</summary>
    public Parameter? LogScale => log_scale;

    /// <summary>The logit scale 1/τ now in use (after the cap). Reads the parameter back from the device: for reports, not for every step.</summary>
    public double LogitScale => log_scale is null
        ? 1 / Options.Temperature
        : Math.Exp(Math.Min(log_scale.item<float>(), _maxLogScale));

    /// <summary>The temperature τ now in use (after the cap). Reads the parameter back from the device: for reports, not for every step.</summary>
    public double Temperature => 1 / LogitScale;

    /// <summary>The loss of a batch of positive pairs.</summary>
    /// <param name="za">[B, D] L2-normalised first views.</param>
    /// <param name="zb">[B, D] L2-normalised second views; row i is the positive of row i of <paramref name="za"/>.</param>
    /// <returns>A scalar: (CE(logits, arange B) + CE(logitsᵀ, arange B)) / 2.</returns>
    public override Tensor forward(Tensor za, Tensor zb)
    {
        ArgumentNullException.ThrowIfNull(za);
        ArgumentNullException.ThrowIfNull(zb);
        if (za.dim() != 2 || !za.shape.SequenceEqual(zb.shape))
        {
            throw new ArgumentException($"{nameof(ContrastiveLoss)}: both views must be [B, D] of one shape; got [{string.Join(", ", za.shape)}] and [{string.Join(", ", zb.shape)}].", nameof(zb));
        }

        var similarity = za.matmul(zb.t());
        Tensor logits;
        if (log_scale is null)
        {
            using var scale = (1 / Options.Temperature).ToScalar();
            logits = similarity.mul(scale);
        }
        else
        {
            using var cap = _maxLogScale.ToScalar();
            logits = similarity * log_scale.clamp_max(cap).exp();
        }

        var labels = arange(za.shape[0], dtype: ScalarType.Int64, device: za.device);
        var rows = nn.functional.cross_entropy(logits, labels);
        var columns = nn.functional.cross_entropy(logits.t(), labels);
        return (rows + columns) / 2;
    }

    /// <summary>
    /// How often each row of <paramref name="za"/> finds its own partner in <paramref name="zb"/>
    /// among the batch by cosine similarity (the vectors are taken as normalised). A row counts for
    /// top-k when fewer than k others are strictly more similar than its partner, so ties go its way.
    /// </summary>
    /// <param name="za">[B, D] queries.</param>
    /// <param name="zb">[B, D] candidates; row i is the partner of row i of <paramref name="za"/>.</param>
    /// <param name="k">The k of top-k (at least 1; at least B means every row counts).</param>
    /// <returns>The fractions of rows whose partner is first, and among the first k.</returns>
    public static (double Top1, double TopK) RetrievalAccuracy(Tensor za, Tensor zb, int k = 10)
    {
        ArgumentNullException.ThrowIfNull(za);
        ArgumentNullException.ThrowIfNull(zb);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (za.dim() != 2 || !za.shape.SequenceEqual(zb.shape) || za.shape[0] == 0)
        {
            throw new ArgumentException($"Both views must be [B, D] of one shape with B ≥ 1; got [{string.Join(", ", za.shape)}] and [{string.Join(", ", zb.shape)}].", nameof(zb));
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var similarity = za.matmul(zb.t());
        var partner = similarity.diagonal().unsqueeze(1);
        var better = similarity.gt(partner).sum(dim: 1);
        using var one = 1.ToScalar();
        using var kk = k.ToScalar();
        var top1 = better.lt(one).to(ScalarType.Float64).mean().item<double>();
        var topK = better.lt(kk).to(ScalarType.Float64).mean().item<double>();
        return (top1, topK);
    }
}
