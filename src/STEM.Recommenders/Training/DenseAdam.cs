using STEM.Recommenders.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// Adam (Kingma and Ba) over whole tensors, exactly as PyTorch's <c>torch.optim.Adam</c> without
/// weight decay or AMSGrad. Gradients are passed in, so that the caller can add L2 terms and clip
/// first; the state can be saved and restored bit for bit.
/// </summary>
public sealed class DenseAdam : IDisposable
{
    private readonly Tensor[] _m;
    private readonly Tensor[] _v;
    private readonly AdamCoefficients _adam;

    /// <summary>Creates zeroed moments for each parameter.</summary>
    public DenseAdam(IReadOnlyList<Parameter> parameters, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        Parameters = parameters;
        _m = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _v = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        _adam = new AdamCoefficients(beta1, beta2, eps);
    }

    /// <summary>The parameters updated.</summary>
    public IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>Steps taken (Adam's t).</summary>
    public long StepCount { get; private set; }

    /// <summary>Applies one update with the given gradients (one per parameter, <see langword="null"/> to skip a parameter).</summary>
    public void Step(double learningRate, IReadOnlyList<Tensor?> gradients)
    {
        ArgumentNullException.ThrowIfNull(gradients);
        StepCount++;
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        for (var i = 0; i < Parameters.Count; i++)
        {
            if (gradients[i] is not { } g)
            {
                continue;
            }

            _adam.UpdateMoments(_m[i], _v[i], g);
            _adam.Apply(Parameters[i], _m[i], _v[i], learningRate, StepCount);
        }
    }

    /// <summary>Writes the step count and moments.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(StepCount);
        writer.Write(Parameters.Count);
        for (var i = 0; i < Parameters.Count; i++)
        {
            _m[i].Save(writer);
            _v[i].Save(writer);
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        StepCount = reader.ReadInt64();
        var count = reader.ReadInt32();
        if (count != Parameters.Count)
        {
            throw new InvalidDataException($"The optimizer state has {count} parameters; this optimizer has {Parameters.Count}.");
        }

        for (var i = 0; i < count; i++)
        {
            TensorFile.ReadTensorInto(reader.BaseStream, _m[i], $"first moment {i}", checkFinite: true);
            TensorFile.ReadTensorInto(reader.BaseStream, _v[i], $"second moment {i}", checkFinite: true);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _m.Concat(_v))
        {
            t.Dispose();
        }

        _adam.Dispose();
    }
}
