using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training.Weighting;

/// <summary>
/// Homoscedastic-uncertainty weighting (Kendall, Gal and Cipolla, CVPR 2018), in LibMTL's form:
/// Σ_t L_t / (2·exp(s_t)) + s_t / 2, with learnable log-variances s_t initialised to 0.
/// </summary>
public sealed class UncertaintyWeighting : ILossWeighting
{
    private Parameter? _logVariance;

    /// <inheritdoc />
    public string Name => "uncertainty";

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => _logVariance is null ? [] : [_logVariance];

    /// <summary>The learnable log-variances s_t, [T].</summary>
    public Parameter LogVariance => _logVariance ?? throw new InvalidOperationException("Attach the weighting to a model first.");

    /// <inheritdoc />
    public void Attach(IMultiTaskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var device = model.DenseDevice();

        // A weighting attached again (another fit) starts over: the earlier log-variances are released, not left to the finalizer.
        _logVariance?.Dispose();
        _logVariance = new Parameter(zeros(model.TaskNames.Count, device: device));
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor taskLosses, Tensor? auxiliaryLoss)
    {
        ArgumentNullException.ThrowIfNull(taskLosses);
        var s = LogVariance;
        var total = ((taskLosses / s.exp().mul(Scalars.Two)) + s.mul(Scalars.Half)).sum();
        if (auxiliaryLoss is not null)
        {
            total = total + auxiliaryLoss;
        }

        total.backward();
        return total.detach();
    }

    /// <inheritdoc />
    public void AfterStep()
    {
    }

    /// <inheritdoc />
    public IReadOnlyList<double> CurrentWeights()
    {
        using var _ = NewDisposeScope();
        return (-LogVariance.detach()).exp().mul(Scalars.Half).to(ScalarType.Float64).cpu().data<double>().ToArray();
    }

    /// <inheritdoc />
    public void Dispose() => _logVariance?.Dispose();

    /// <inheritdoc />
    public void Save(BinaryWriter writer) => LogVariance.Save(writer);

    /// <inheritdoc />
    public void Load(BinaryReader reader)
    {
        using var _ = no_grad();
        LogVariance.Load(reader);
    }
}
