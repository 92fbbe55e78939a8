using STEM.Recommenders.Models;
using STEM.Recommenders.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Training;

/// <summary>
/// The optimizer a <see cref="Trainer"/> uses: Adam on dense weights, row-sparse (or dense) Adam on
/// embedding tables, L2 terms added to the gradients, then the global gradient norm clipped — in the
/// order of the STEM reference code (regulariser in the loss, clip, step).
/// </summary>
public sealed class MultiTaskOptimizer : IDisposable
{
    private readonly OptimizerOptions _options;
    private readonly DenseAdam _dense;
    private readonly DenseAdam? _denseEmbeddings;
    private readonly RowSparseAdam? _sparseEmbeddings;
    private readonly Scalar _embeddingL2;
    private readonly Scalar _denseL2;
    private readonly Scalar? _clip;
    private readonly Device? _normDevice;
    private static readonly Scalar ClipEpsilon = 1e-6.ToScalar();

    /// <summary>Creates the optimizer for a model (and any extra parameters, such as learnable loss weights).</summary>
    public MultiTaskOptimizer(IMultiTaskModel model, OptimizerOptions options, IEnumerable<Parameter>? extraParameters = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        LearningRate = options.LearningRate;
        _embeddingL2 = options.EmbeddingL2.ToScalar();
        _denseL2 = options.DenseL2.ToScalar();
        _clip = options.GradientClipNorm?.ToScalar();
        _dense = new DenseAdam(model.DenseParameters().Concat(extraParameters ?? []).ToArray(), options.Beta1, options.Beta2, options.Epsilon);
        // Host-placed tables have host gradients while the dense part's are on its device: the
        // global norm is summed on the dense device and the clip factor copied back to the host.
        if (model.EmbeddingBanks.Any(b => b.TablePlacement == TablePlacement.Host))
        {
            _normDevice = model.DenseDevice();
        }

        if (options.EmbeddingUpdate == EmbeddingUpdate.RowSparse)
        {
            _sparseEmbeddings = new RowSparseAdam(model.EmbeddingBanks, options.Beta1, options.Beta2, options.Epsilon);
        }
        else
        {
            _denseEmbeddings = new DenseAdam(model.EmbeddingBanks.SelectMany(b => b.Tables).ToArray(), options.Beta1, options.Beta2, options.Epsilon);
        }
    }

    /// <summary>The row-sparse optimizer of the embedding tables, or <see langword="null"/> with dense updates.</summary>
    internal RowSparseAdam? SparseEmbeddings => _sparseEmbeddings;

    /// <summary>The current learning rate (a schedule lowers it).</summary>
    public double LearningRate { get; set; }

    /// <summary>
    /// Adds L2 gradients, clips the global norm, and updates every parameter that has a gradient.
    /// </summary>
    /// <returns>The global gradient norm before clipping, as a 0-dim tensor (read it only when needed: it syncs).</returns>
    public Tensor Step()
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var dense = _dense.Parameters.Select(p => AddL2(p.grad, p, _options.DenseL2, _denseL2)).ToArray();
        var denseTables = _denseEmbeddings?.Parameters.Select(p => AddL2(p.grad, p, _options.EmbeddingL2, _embeddingL2)).ToArray();
        var sparse = _sparseEmbeddings?.CollectGradients()
            .Select(g => (g.Table, g.Rows, Gradient: _options.EmbeddingL2 > 0 ? g.Gradient + g.Table.index_select(0, g.Rows).mul(_embeddingL2) : g.Gradient))
            .ToArray();

        var all = dense.Concat(denseTables ?? []).Where(g => g is not null).Select(g => g!).Concat(sparse?.Select(s => s.Gradient) ?? []).ToArray();
        var norm = all.Length == 0 ? zeros(1) : stack(all.Select(SquaredNorm).ToArray()).sum().sqrt();
        if (_clip is { } clip && all.Length > 0)
        {
            // Scale by min(1, clip / (norm + 1e-6)) without reading the norm back to the host
            // (with host tables, one scalar is copied to the host for their gradients).
            var coefficient = norm.add(ClipEpsilon).reciprocal_().mul_(clip).clamp_max(Scalars.One);
            var tableCoefficient = _normDevice is null ? coefficient : coefficient.cpu();
            dense = dense.Select(g => g?.mul(coefficient)).ToArray();
            denseTables = denseTables?.Select(g => g?.mul(tableCoefficient)).ToArray();
            sparse = sparse?.Select(s => (s.Table, s.Rows, s.Gradient.mul(tableCoefficient))).ToArray();
        }

        _dense.Step(LearningRate, dense);
        _denseEmbeddings?.Step(LearningRate, denseTables!);
        if (sparse is not null)
        {
            _sparseEmbeddings!.Step(LearningRate, sparse);
        }

        return norm.MoveToOuterDisposeScope();
    }

    /// <summary>Clears gradients and recorded embedding lookups.</summary>
    public void ZeroGrad()
    {
        // Reading .grad creates a wrapper per call; the scope releases them.
        using var scope = NewDisposeScope();
        foreach (var p in _dense.Parameters.Concat(_denseEmbeddings?.Parameters ?? []))
        {
            p.grad?.fill_(Scalars.Zero);
        }

        _sparseEmbeddings?.ClearLookups();
    }

    /// <summary>Writes the learning rate and all moments.</summary>
    public void Save(BinaryWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(LearningRate);
        _dense.Save(writer);
        writer.Write(_sparseEmbeddings is not null);
        if (_sparseEmbeddings is not null)
        {
            _sparseEmbeddings.Save(writer);
        }
        else
        {
            _denseEmbeddings!.Save(writer);
        }
    }

    /// <summary>Restores what <see cref="Save"/> wrote.</summary>
    public void Load(BinaryReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        LearningRate = reader.ReadDouble();
        _dense.Load(reader);
        var sparse = reader.ReadBoolean();
        if (sparse != (_sparseEmbeddings is not null))
        {
            throw new InvalidDataException("The checkpoint's embedding update mode differs from this optimizer's.");
        }

        if (_sparseEmbeddings is not null)
        {
            _sparseEmbeddings.Load(reader);
        }
        else
        {
            _denseEmbeddings!.Load(reader);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _dense.Dispose();
        _denseEmbeddings?.Dispose();
        _sparseEmbeddings?.Dispose();

        // Deterministically, not in the finalizer (see Modules.Scalars for why that matters).
        _embeddingL2.Dispose();
        _denseL2.Dispose();
        _clip?.Dispose();
    }

    private Tensor SquaredNorm(Tensor gradient)
    {
        var squared = (gradient * gradient).sum();
        return _normDevice is null ? squared : squared.to(_normDevice);
    }

    private static Tensor? AddL2(Tensor? gradient, Tensor parameter, double l2, Scalar factor) =>
        gradient is null ? null : l2 > 0 ? gradient + parameter.mul(factor) : gradient;
}
