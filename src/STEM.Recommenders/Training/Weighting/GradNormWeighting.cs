using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training.Weighting;

/// <summary>
/// GradNorm (Chen et al., ICML 2018). Task weights w_t (initialised to 1) are learnt so that the
/// gradient norms G_t = ‖∇_W w_t·L_t‖ at the last shared layer W approach
/// mean(G) · (r_t)^α, with r_t the task's relative inverse training rate (L_t / L_t(0)) / mean;
/// after each step the weights are renormalised to sum to T. The model's parameters are updated
/// with the gradient of Σ_t w_t·L_t (w treated as constant); w gets the gradient of Σ_t |G_t − target_t|.
/// </summary>
public sealed class GradNormWeighting : ILossWeighting
{
    private readonly double _alpha;
    private Parameter? _weights;
    private Parameter? _shared;
    private Tensor? _initialLosses;

    /// <summary>Creates the weighting with asymmetry α (1.5 in the paper's experiments).</summary>
    public GradNormWeighting(double alpha = 1.5)
    {
        if (alpha < 0 || !double.IsFinite(alpha))
        {
            throw new ArgumentException("GradNorm's alpha must be finite and non-negative.", nameof(alpha));
        }

        _alpha = alpha;
    }

    /// <inheritdoc />
    public string Name => "gradnorm";

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _weights is null ? [] : [_weights];

    /// <summary>The learnable task weights w_t, [T].</summary>
    public Parameter TaskWeights => _weights ?? throw new InvalidOperationException("Attach the weighting to a model first.");

    /// <inheritdoc />
    public void Attach(IMultiTaskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        _shared = model.LastSharedLayer
            ?? throw new ArgumentException($"GradNorm balances gradients at a layer every task shares, and the model '{model.ModelName}' has none; use fixed or uncertainty weighting.");

        // A weighting attached again (another fit) starts over: the earlier weights are released, not left to the finalizer.
        _weights?.Dispose();
        _weights = new Parameter(ones(model.TaskNames.Count, device: _shared.device));
        _initialLosses?.Dispose();
        _initialLosses = null;
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor taskLosses, Tensor? auxiliaryLoss)
    {
        ArgumentNullException.ThrowIfNull(taskLosses);
        var w = TaskWeights;
        var t = taskLosses.shape[0];
        if (_initialLosses is null)
        {
            _initialLosses = taskLosses.detach().clone().DetachFromDisposeScope();
        }

        // G_t = ‖∂(w_t L_t)/∂W‖, kept differentiable in w.
        var norms = new Tensor[t];
        for (var k = 0; k < t; k++)
        {
            var g = torch.autograd.grad([w[k] * taskLosses[k]], [_shared!], retain_graph: true, create_graph: true, allow_unused: true)[0];
            norms[k] = g is null ? zeros(1, device: w.device).squeeze() : g.norm();
        }

        var gradientNorms = stack(norms);

        // Targets are constants: mean(G) · r_t^α.
        var ratio = taskLosses.detach() / _initialLosses.clamp_min(Scalars.Tiny);
        var relative = ratio / ratio.mean();
        using var alpha = _alpha.ToScalar();
        var target = (gradientNorms.mean() * relative.pow(alpha)).detach();
        var balance = (gradientNorms - target).abs().sum();
        var weightGradient = torch.autograd.grad([balance], [w], retain_graph: true)[0];

        // The model learns from Σ w_t L_t with w held fixed; w learns only from the balance loss.
        var total = (w.detach() * taskLosses).sum();
        if (auxiliaryLoss is not null)
        {
            total = total + auxiliaryLoss;
        }

        total.backward();
        using (no_grad())
        {
            if (w.grad is null)
            {
                w.grad = weightGradient.detach().clone();
            }
            else
            {
                w.grad.copy_(weightGradient);
            }
        }

        return total.detach();
    }

    /// <inheritdoc />
    public void AfterStep()
    {
        using var _ = no_grad();
        var w = TaskWeights;
        using var scope = NewDisposeScope();
        using var floor = 1e-6.ToScalar();
        using var count = ((double)w.shape[0]).ToScalar();
        w.clamp_(min: floor);
        w.mul_(w.sum().reciprocal().mul_(count));
    }

    /// <inheritdoc />
    public IReadOnlyList<double> CurrentWeights()
    {
        using var _ = NewDisposeScope();
        return TaskWeights.detach().to(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _weights?.Dispose();
        _initialLosses?.Dispose();
    }

    /// <inheritdoc />
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        TaskWeights.Save(writer);
        writer.Write(_initialLosses is not null);
        _initialLosses?.Save(writer);
    }

    /// <inheritdoc />
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var _ = no_grad();
        TaskWeights.Load(reader);
        _initialLosses?.Dispose();
        _initialLosses = reader.ReadBoolean() ? TensorExtensionMethods.Load(reader).DetachFromDisposeScope() : null;
    }
}
