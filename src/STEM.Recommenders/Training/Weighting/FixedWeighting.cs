using STEM.Recommenders.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training.Weighting;

/// <summary>Σ_t w_t · L_t with fixed weights (all 1 by default: the STEM reference's equal-weight sum).</summary>
public sealed class FixedWeighting : ILossWeighting
{
    private readonly double[]? _configured;
    private double[] _weights = [];

    /// <summary>Creates the weighting; <paramref name="weights"/> null means 1 for every task.</summary>
    public FixedWeighting(IReadOnlyList<double>? weights = null)
    {
        if (weights is not null && weights.Any(w => w < 0 || !double.IsFinite(w)))
        {
            throw new ArgumentException("Task weights must be finite and non-negative.", nameof(weights));
        }

        _configured = weights?.ToArray();
    }

    /// <inheritdoc />
    public string Name => "fixed";

    /// <inheritdoc />
    public IReadOnlyList<Parameter> Parameters => [];

    /// <inheritdoc />
    public void Attach(IMultiTaskModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var t = model.TaskNames.Count;
        if (_configured is not null && _configured.Length != t)
        {
            throw new ArgumentException($"{_configured.Length} task weights were given for {t} tasks.");
        }

        _weights = _configured ?? Enumerable.Repeat(1.0, t).ToArray();
    }

    /// <inheritdoc />
    public Tensor Backward(Tensor taskLosses, Tensor? auxiliaryLoss)
    {
        ArgumentNullException.ThrowIfNull(taskLosses);
        var total = (taskLosses * tensor(_weights, dtype: taskLosses.dtype, device: taskLosses.device)).sum();
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
    public IReadOnlyList<double> CurrentWeights() => _weights;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <inheritdoc />
    public void Save(BinaryWriter writer)
    {
    }

    /// <inheritdoc />
    public void Load(BinaryReader reader)
    {
    }
}
