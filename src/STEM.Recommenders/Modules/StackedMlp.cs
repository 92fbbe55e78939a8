using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Modules;

/// <summary>
/// N independent MLPs of identical shape evaluated together: weights are stacked into [N, in, out]
/// tensors and each layer is one batched matrix product, so N experts (or gates, or towers) cost
/// the native calls of one. Each MLP is Linear → [BatchNorm] → activation → [Dropout] per hidden
/// layer, then an optional output Linear; weights Xavier-normal per MLP, biases zero.
/// </summary>
public sealed class StackedMlp : nn.Module<Tensor, Tensor>
{
    private static readonly Scalar NormEpsilon = 1e-5.ToScalar();

    private readonly ParameterList weights = new();
    private readonly ParameterList biases = new();
    private readonly ParameterList norm_weights = new();
    private readonly ParameterList norm_biases = new();
    private readonly MlpOptions _options;
    private readonly int _hiddenLayers;
    private readonly List<Tensor> _runningMeans = new();
    private readonly List<Tensor> _runningVars = new();
    private Precision _computePrecision;

    /// <summary>Creates N MLPs.</summary>
    /// <param name="name">Module name.</param>
    /// <param name="count">N, the number of MLPs.</param>
    /// <param name="inputDim">Input width.</param>
    /// <param name="options">Hidden layers, activation, batch norm, dropout, precision.</param>
    /// <param name="outputDim">Width of an output Linear with no activation, or <see langword="null"/> to end at the last hidden layer.</param>
    public StackedMlp(string name, int count, int inputDim, MlpOptions options, int? outputDim = null)
        : base(name)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(inputDim, 1);
        options.Validate(name);
        if (outputDim is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(outputDim), "outputDim must be positive.");
        }

        if (options.HiddenUnits.Count == 0 && outputDim is null)
        {
            throw new ArgumentException($"{name}: an MLP needs hidden layers or an output layer.");
        }

        _options = options;
        _computePrecision = options.Precision == Precision.Auto ? Precision.Float32 : options.Precision;
        _hiddenLayers = options.HiddenUnits.Count;
        Count = count;
        InputDim = inputDim;
        var widths = options.HiddenUnits.Concat(outputDim is { } o ? [o] : []).ToArray();
        OutputDim = widths[^1];
        var previous = inputDim;
        using (no_grad())
        {
            for (var l = 0; l < widths.Length; l++)
            {
                var w = empty(count, previous, widths[l]);
                w.normal_(0, Math.Sqrt(2.0 / (previous + widths[l])));
                weights.Add(new Parameter(w));
                biases.Add(new Parameter(zeros(count, 1, widths[l])));
                if (options.BatchNorm && l < _hiddenLayers)
                {
                    norm_weights.Add(new Parameter(ones(count, 1, widths[l])));
                    norm_biases.Add(new Parameter(zeros(count, 1, widths[l])));
                    var mean = zeros(count, 1, widths[l]);
                    var variance = ones(count, 1, widths[l]);
                    _runningMeans.Add(mean);
                    _runningVars.Add(variance);
                    register_buffer($"running_mean_{l}", mean);
                    register_buffer($"running_var_{l}", variance);
                }

                previous = widths[l];
            }
        }

        RegisterComponents();
    }

    /// <summary>N, the number of MLPs.</summary>
    public int Count { get; }

    /// <summary>Input width.</summary>
    public int InputDim { get; }

    /// <summary>Output width.</summary>
    public int OutputDim { get; }

    /// <summary>The shape, activation, batch norm, dropout and precision the MLPs were built with (exporters read it).</summary>
    public MlpOptions Options => _options;

    /// <summary>
    /// How much faster bfloat16 must be for <see cref="CalibratePrecision"/> to choose it: its pass
    /// has to take less than (1 − margin) of float32's. bfloat16 rounds the products, so a tie or a
    /// gain inside the timing noise keeps float32.
    /// </summary>
    public const double BFloat16Margin = 0.10;

    /// <summary>The dtype of the matrix products (bfloat16 under mixed precision, else float32).</summary>
    public ScalarType ComputeType => _computePrecision.ComputeType();

    /// <summary>
    /// The precision the products run in now: <see cref="MlpOptions.Precision"/>, except that a stack
    /// built with <see cref="Precision.Auto"/> runs float32 until <see cref="CalibratePrecision"/>
    /// (or the caller) sets <see cref="Precision.Float32"/> or <see cref="Precision.BFloat16"/>. Not
    /// saved with the weights: weights trained in either precision load and score in either.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">Not Float32 or BFloat16.</exception>
    /// <exception cref="InvalidOperationException">The stack was built with a fixed precision and the value is the other one.</exception>
    public Precision ComputePrecision
    {
        get => _computePrecision;
        set
        {
            if (value is not (Precision.Float32 or Precision.BFloat16))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "ComputePrecision must be Float32 or BFloat16.");
            }

            if (_options.Precision != Precision.Auto && value != _options.Precision)
            {
                throw new InvalidOperationException($"{GetName()}: built with Precision {_options.Precision}; only a stack built with Precision Auto switches precision.");
            }

            _computePrecision = value;
        }
    }

    /// <summary>Multiply-adds of one forward row through all N MLPs: Σ over layers of N · in · out (the products only).</summary>
    internal double MultiplyAddsPerRow => Enumerable.Range(0, LayerCount).Sum(l => (double)weights[l].shape[0] * weights[l].shape[1] * weights[l].shape[2]);

    /// <summary>The stacked weight of layer l, [N, in, out].</summary>
    public Parameter Weight(int layer) => weights[layer];

    /// <summary>The stacked bias of layer l, [N, 1, out].</summary>
    public Parameter Bias(int layer) => biases[layer];

    /// <summary>Number of linear layers (hidden plus output).</summary>
    public int LayerCount => weights.Count;

    /// <summary>The stacked weight of the last layer, [N, in, out].</summary>
    public Parameter LastWeight => weights[^1];

    /// <summary>Runs the N MLPs.</summary>
    /// <param name="input">[N, B, in] (one input per MLP) or [B, in] (the same input for all).</param>
    /// <returns>[N, B, out] in float32.</returns>
    public override Tensor forward(Tensor input)
    {
        var computeType = ComputeType;
        var x = input.dtype == computeType ? input : input.to(computeType);
        var shared = x.dim() == 2;
        for (var l = 0; l < weights.Count; l++)
        {
            var w = computeType == ScalarType.Float32 ? (Tensor)weights[l] : weights[l].to(computeType);
            var b = computeType == ScalarType.Float32 ? (Tensor)biases[l] : biases[l].to(computeType);
            // One input for all N: a broadcast matmul avoids materialising N copies of it.
            // Otherwise one fused call: TorchSharp's x.baddbmm(w, b) is LibTorch's b.baddbmm(x, w),
            // b + x·w with the [N, 1, out] bias broadcast into the output before the GEMM adds to it,
            // which saves the separate add's pass over the [N, B, out] product.
            x = l == 0 && shared ? matmul(x, w).add_(b) : x.baddbmm(w, b);

            if (l < _hiddenLayers)
            {
                if (_options.BatchNorm)
                {
                    x = BatchNorm(x, l);
                }

                // ReLU in place: autograd keeps what backward needs (the product's inputs, ReLU's
                // output), while a separate result would keep the product alive in the step's dispose
                // scope until the step ends — 11 experts × 3 layers × [4096, 512] float32, about
                // 280 MB, at the paper's sizes.
                x = _options.Activation == Activation.Relu ? x.relu_() : _options.Activation.Apply(x);
                if (_options.Dropout > 0)
                {
                    x = nn.functional.dropout(x, _options.Dropout, training);
                }
            }
        }

        return x.dtype == ScalarType.Float32 ? x : x.to(ScalarType.Float32);
    }

    /// <summary>
    /// Runs MLP i on <paramref name="inputs"/>[i] alone, one matrix product per MLP and layer,
    /// and stacks the outputs once at the end (the same values as <see cref="forward"/> on the
    /// stacked inputs, up to the products' rounding). Without batch norm only.
    /// </summary>
    /// <param name="inputs">N tensors of [B, in]; one tensor may stand for several MLPs.</param>
    /// <returns>[N, B, out] in float32.</returns>
    internal Tensor ForwardEach(IReadOnlyList<Tensor> inputs)
    {
        if (_options.BatchNorm)
        {
            throw new InvalidOperationException("StackedMlp.ForwardEach does not run batch norm; use forward.");
        }

        var computeType = ComputeType;
        var outputs = new Tensor[Count];
        for (var i = 0; i < Count; i++)
        {
            var x = inputs[i].dtype == computeType ? inputs[i] : inputs[i].to(computeType);
            for (var l = 0; l < weights.Count; l++)
            {
                var w = weights[l][i];
                var b = biases[l][i];
                if (computeType != ScalarType.Float32)
                {
                    w = w.to(computeType);
                    b = b.to(computeType);
                }

                // One fused call: LibTorch writes the bias into the output and lets the GEMM add to it.
                x = b.addmm(x, w);
                if (l < _hiddenLayers)
                {
                    // In place for the reason forward gives.
                    x = _options.Activation == Activation.Relu ? x.relu_() : _options.Activation.Apply(x);
                    if (_options.Dropout > 0)
                    {
                        x = nn.functional.dropout(x, _options.Dropout, training);
                    }
                }
            }

            outputs[i] = x;
        }

        var stacked = stack(outputs, 0);
        return stacked.dtype == ScalarType.Float32 ? stacked : stacked.to(ScalarType.Float32);
    }

    /// <summary>
    /// Times one forward and backward pass of <paramref name="rows"/> random rows per MLP in
    /// float32 and in bfloat16 (best of <paramref name="repeats"/> after a warm-up each), sets
    /// <see cref="ComputePrecision"/> to bfloat16 only when it is faster by more than
    /// <see cref="BFloat16Margin"/>, else float32, and returns both times. Gradients and batch-norm
    /// statistics are put back as they were, so call it before training or between steps; the random
    /// inputs come from a generator of its own, and dropout draws from the global one.
    /// </summary>
    /// <param name="rows">Batch rows to time, e.g. the training batch size.</param>
    /// <param name="repeats">Timed passes per precision.</param>
    /// <returns>Milliseconds per pass in each precision.</returns>
    /// <exception cref="InvalidOperationException">The stack was not built with <see cref="Precision.Auto"/>.</exception>
    public (double Float32Ms, double BFloat16Ms) CalibratePrecision(int rows, int repeats = 2)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeats, 1);
        if (_options.Precision != Precision.Auto)
        {
            throw new InvalidOperationException($"{GetName()}: built with Precision {_options.Precision}; only a stack built with Precision Auto is calibrated.");
        }

        using var state = new ModuleStateGuard(this);
        using var scope = NewDisposeScope();
        using var generator = new Generator(seed: 0, device: weights[0].device);
        var input = randn([Count, rows, InputDim], generator: generator, device: weights[0].device).requires_grad_(true);
        double Time(Precision precision)
        {
            _computePrecision = precision;
            return CalibrationTiming.ForwardBackwardMs(repeats, input, forward);
        }

        var float32 = Time(Precision.Float32);
        var bfloat16 = Time(Precision.BFloat16);
        _computePrecision = CalibrationTiming.FasterPrecision(float32, bfloat16, BFloat16Margin);
        return (float32, bfloat16);
    }

    private Tensor BatchNorm(Tensor x, int layer)
    {
        const double momentum = 0.1;
        var mean = _runningMeans[layer];
        var variance = _runningVars[layer];
        Tensor normalised;
        if (training)
        {
            var x32 = x.to(ScalarType.Float32);
            var batchMean = x32.mean([1], keepdim: true);
            var batchVar = x32.var([1], unbiased: false, keepdim: true);
            using (no_grad())
            {
                var n = x.shape[1];
                using var keep = (1 - momentum).ToScalar();
                using var take = momentum.ToScalar();
                using var unbias = (n / Math.Max(1.0, n - 1)).ToScalar();
                mean.mul_(keep).add_(batchMean.detach(), alpha: take);
                variance.mul_(keep).add_(batchVar.detach().mul(unbias), alpha: take);
            }

            normalised = (x32 - batchMean) / batchVar.add(NormEpsilon).sqrt();
        }
        else
        {
            normalised = (x.to(ScalarType.Float32) - mean) / variance.add(NormEpsilon).sqrt();
        }

        return (normalised * norm_weights[layer] + norm_biases[layer]).to(x.dtype);
    }
}
