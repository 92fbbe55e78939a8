using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// A single MLP: one <see cref="MlpBlock"/> per hidden layer and an optional output Linear without
/// activation, in float32 with PyTorch's weight layout. For several MLPs of the same shape, or for
/// bfloat16 mixed precision, use <see cref="StackedMlp"/>, which runs them as one batched operation.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly ModuleList<MlpBlock> blocks = new();
    private readonly Linear? output;

    /// <summary>Creates the MLP.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="inputDim">Input width.</param>
    /// <param name="options">Hidden layers, activation, batch norm, dropout.</param>
    /// <param name="outputDim">Width of an output layer, or <see langword="null"/> to end at the last hidden layer.</param>
    public Mlp(string name, int inputDim, MlpOptions options, int? outputDim = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate(name);
        var previous = inputDim;
        for (var i = 0; i < options.HiddenUnits.Count; i++)
        {
            blocks.Add(new MlpBlock($"block{i}", previous, options.HiddenUnits[i], options.Activation, options.BatchNorm, options.Dropout));
            previous = options.HiddenUnits[i];
        }

        if (outputDim is { } o)
        {
            output = nn.Linear(previous, o);
            using (no_grad())
            {
                nn.init.xavier_normal_(output.weight);
                output.bias!.fill_(Scalars.Zero);
            }

            previous = o;
        }

        OutputDim = previous;
        RegisterComponents();
    }

    /// <summary>Output width.</summary>
    public int OutputDim { get; }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var x = input;
        foreach (var block in blocks)
        {
            x = block.forward(x);
        }

        return output is null ? x : output.forward(x);
    }
}
