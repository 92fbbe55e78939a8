using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// Adam's update rule (PyTorch's, without weight decay or AMSGrad), shared by <see cref="DenseAdam"/>
/// and <see cref="RowSparseAdam"/>: the moments' in-place update and the bias-corrected step. Its
/// scalars live as long as the optimizer (see <c>Modules.Scalars</c> for why that matters).
/// </summary>
internal sealed class AdamCoefficients(double beta1, double beta2, double eps) : IDisposable
{
    private readonly Scalar _beta1 = beta1.ToScalar();
    private readonly Scalar _beta2 = beta2.ToScalar();
    private readonly Scalar _oneMinusBeta1 = (1 - beta1).ToScalar();
    private readonly Scalar _oneMinusBeta2 = (1 - beta2).ToScalar();
    private readonly Scalar _eps = eps.ToScalar();

    /// <summary>m ← β₁m + (1−β₁)g; v ← β₂v + (1−β₂)g², in place.</summary>
    public void UpdateMoments(Tensor m, Tensor v, Tensor g)
    {
        m.mul_(_beta1).add_(g, alpha: _oneMinusBeta1);
        v.mul_(_beta2).addcmul_(g, g, value: _oneMinusBeta2);
    }

    /// <summary>p ← p − lr/(1−β₁ᵗ) · m / (√v/√(1−β₂ᵗ) + ε), in place.</summary>
    public void Apply(Tensor parameter, Tensor m, Tensor v, double learningRate, long step)
    {
        using var correction2 = Math.Sqrt(1 - Math.Pow(beta2, step)).ToScalar();
        using var stepSize = (-learningRate / (1 - Math.Pow(beta1, step))).ToScalar();
        using var denominator = v.sqrt().div_(correction2).add_(_eps);
        parameter.addcdiv_(m, denominator, value: stepSize);
    }

    /// <summary>Frees the native scalars now rather than in a finalizer (the optimizer that owns them calls it).</summary>
    public void Dispose()
    {
        _beta1.Dispose();
        _beta2.Dispose();
        _oneMinusBeta1.Dispose();
        _oneMinusBeta2.Dispose();
        _eps.Dispose();
    }
}
