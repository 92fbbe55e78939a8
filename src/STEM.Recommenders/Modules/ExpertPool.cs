using TorchSharp;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// A pool of N experts of identical MLP shape (no output layer: an expert's output is its last
/// hidden layer after the activation, as in the reference code), evaluated as one batched
/// operation instead of a loop. Each expert reads one of several input views — STEM's task experts
/// read their task's embedding view and its shared experts the shared view.
/// </summary>
public sealed class ExpertPool : nn.Module<Tensor, Tensor>
{
    private readonly StackedMlp experts;
    private readonly Tensor? input_views;

    /// <summary>Creates the pool.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="count">Number of experts.</param>
    /// <param name="inputDim">Input width of every expert.</param>
    /// <param name="options">Expert MLP shape, e.g. [512, 512, 512].</param>
    /// <param name="inputViews">
    /// For each expert, the index of the input view it reads; <see langword="null"/> when every expert
    /// reads the same [B, in] input.
    /// </param>
    public ExpertPool(string name, int count, int inputDim, MlpOptions options, IReadOnlyList<int>? inputViews = null)
        : base(name)
    {
        if (inputViews is not null && inputViews.Count != count)
        {
            throw new ArgumentException($"{name}: inputViews needs one entry per expert ({count}).", nameof(inputViews));
        }

        experts = new StackedMlp("experts", count, inputDim, options);
        InputViews = inputViews;
        if (inputViews is not null)
        {
            input_views = tensor(inputViews.Select(v => (long)v).ToArray());
        }

        RegisterComponents();
    }

    /// <summary>Number of experts.</summary>
    public int Count => experts.Count;

    /// <summary>Width of an expert's output.</summary>
    public int OutputDim => experts.OutputDim;

    /// <summary>The view each expert reads, or <see langword="null"/>.</summary>
    public IReadOnlyList<int>? InputViews { get; }

    /// <summary>The stacked expert MLPs.</summary>
    public StackedMlp Experts => experts;

    /// <summary>int64 [N] of <see cref="InputViews"/>, or <see langword="null"/> (the step breakdown's copy of forward reads it).</summary>
    internal Tensor? InputViewIndex => input_views;

    /// <summary>Runs every expert.</summary>
    /// <param name="input">[V, B, in] views when the pool was built with input views, else [B, in].</param>
    /// <returns>[N, B, out].</returns>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input_views is null)
        {
            return experts.forward(input);
        }

        // Cast before gathering: under mixed precision the per-expert copy is then half the size.
        var views = input.dtype == experts.ComputeType ? input : input.to(experts.ComputeType);
        return experts.forward(views.index_select(0, input_views));
    }
}
