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
    public override Tensor forward(Tensor input)
    {
        var x = linear.forward(input);
        if (norm is not null)
        {
            x = norm.forward(x);
        }

        x = _activation.Apply(x);
        return _dropout > 0 ? nn.functional.dropout(x, _dropout, training) : x;
    }
}
