using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// One MLP layer: Linear → [BatchNorm] → activation → [Dropout], with Xavier-normal weights and a
/// zero bias (the initialisation of the STEM reference code).
/// </summary>
public sealed class MlpBlock : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;
    private readonly BatchNorm1d? norm;
    private readonly Activation _activation;
    private readonly double _dropout;

    /// <summary>Creates the block.</summary>
    public MlpBlock(string name, int inputDim, int outputDim, Activation activation = Activation.Relu, bool batchNorm = false, double dropout = 0)
        : base(name)
    {
        linear = nn.Linear(inputDim, outputDim);
        using (no_grad())
        {
            nn.init.xavier_normal_(linear.weight);
            linear.bias!.fill_(Scalars.Zero);
        }

        norm = batchNorm ? nn.BatchNorm1d(outputDim) : null;
        _activation = activation;
        _dropout = dropout;
        RegisterComponents();
    }

    /// <summary>The activation after the linear layer (and batch norm).</summary>
    public Activation Activation => _activation;

    /// <summary>The batch norm after the linear layer, or <see langword="null"/>.</summary>
    public BatchNorm1d? Norm => norm;

    /// <summary>The linear layer (weight [out, in], as in PyTorch).</summary>
    public Linear Linear => linear;

    /// <inheritdoc />
    /// <remarks>
    /// ReLU runs in place on the product it follows, and a normalised product's handle is released
    /// at once: autograd keeps what backward needs by itself (a linear layer its input, ReLU its
    /// output, batch norm its input), but a handle held by the step's dispose scope keeps its tensor
    /// alive until the step ends. At the paper's sizes that was one [batch, units] float32 tensor
    /// per layer of every expert — about 260 MB of a 4096-row STEM-Net step. The values and
    /// gradients are the same.
    /// </remarks>
    public override Tensor forward(Tensor input)
    {
        var x = linear.forward(input);
        if (norm is not null)
        {
            var normalized = norm.forward(x);
            x.Dispose();
            x = normalized;
        }

        if (_activation == Activation.Relu)
        {
            x = x.relu_();
        }
        else
        {
            var activated = _activation.Apply(x);
            if (!ReferenceEquals(activated, x))
            {
                x.Dispose();
            }

            x = activated;
        }

        return _dropout > 0 ? nn.functional.dropout(x, _dropout, training) : x;
    }
}
