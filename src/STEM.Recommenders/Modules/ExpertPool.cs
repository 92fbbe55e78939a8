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
    private ExpertExecution _execution;

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

    /// <summary>
    /// How the experts' products run (default <see cref="ExpertExecution.Batched"/>); not saved with
    /// the weights. <see cref="Calibrate"/> chooses it by timing both on this machine.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not a defined value.</exception>
    /// <exception cref="InvalidOperationException"><see cref="ExpertExecution.Separate"/> with batch norm in the experts.</exception>
    public ExpertExecution Execution
    {
        get => _execution;
        set
        {
            if (!Enum.IsDefined(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Execution must be Batched or Separate.");
            }

            if (value == ExpertExecution.Separate && experts.Options.BatchNorm)
            {
                throw new InvalidOperationException($"{GetName()}: separate execution does not support batch norm in the experts.");
            }

            _execution = value;
        }
    }

    /// <summary>Runs every expert.</summary>
    /// <param name="input">[V, B, in] views when the pool was built with input views, else [B, in].</param>
    /// <returns>[N, B, out].</returns>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (_execution == ExpertExecution.Separate)
        {
            return ForwardSeparately(input);
        }

        if (input_views is null)
        {
            return experts.forward(input);
        }

        // Cast before gathering: under mixed precision the per-expert copy is then half the size.
        var views = input.dtype == experts.ComputeType ? input : input.to(experts.ComputeType);
        return experts.forward(views.index_select(0, input_views));
    }

    /// <summary>
    /// Times one forward and backward pass of <paramref name="rows"/> random rows in each
    /// execution (best of <paramref name="repeats"/> after a warm-up each), keeps the faster in
    /// <see cref="Execution"/> and returns both times. Uses the pool's own weights; their gradients
    /// and batch-norm statistics are put back as they were (a missing gradient is missing again),
    /// so call it before training or between steps. The random inputs come from a generator of its
    /// own, and dropout draws from the global one.
    /// </summary>
    /// <param name="rows">Batch rows to time, e.g. the training batch size.</param>
    /// <param name="repeats">Timed passes per execution.</param>
    /// <returns>Milliseconds per pass of each execution.</returns>
    public (double BatchedMs, double SeparateMs) Calibrate(int rows, int repeats = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        var kept = _execution;
        using var state = new ModuleStateGuard(this);
        using var scope = NewDisposeScope();
        var viewCount = InputViews is null ? 0 : InputViews.Max() + 1;
        var device = experts.Weight(0).device;
        using var generator = new Generator(seed: 0, device: device);
        var input = (viewCount == 0 ? randn([rows, experts.InputDim], generator: generator, device: device) : randn([viewCount, rows, experts.InputDim], generator: generator, device: device)).requires_grad_(true);
        double Time(ExpertExecution execution)
        {
            _execution = execution;
            return CalibrationTiming.ForwardBackwardMs(repeats, input, forward);
        }

        var batched = Time(ExpertExecution.Batched);
        var separate = experts.Options.BatchNorm ? double.PositiveInfinity : Time(ExpertExecution.Separate);
        _execution = kept;
        Execution = CalibrationTiming.Faster(batched, separate);
        return (batched, separate);
    }

    private Tensor ForwardSeparately(Tensor input)
    {
        var computeType = experts.ComputeType;
        var x = input.dtype == computeType ? input : input.to(computeType);
        if (InputViews is null)
        {
            return experts.ForwardEach(Enumerable.Repeat(x, Count).ToArray());
        }

        // One unbind: each expert reads its view in place, and backward stacks the views' gradients once.
        var views = x.unbind(0);
        return experts.ForwardEach(InputViews.Select(v => views[v]).ToArray());
    }
}
