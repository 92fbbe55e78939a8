using STEM.Recommenders.EncodedData;
using STEM.Recommenders.Data;
using STEM.Recommenders.Features;
using STEM.Recommenders.Modules;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace STEM.Recommenders.Models;

/// <summary>Common plumbing of the built-in models: names, parameter groups, validation.</summary>
public abstract class MultiTaskModel : nn.Module<FeatureBatch, MultiTaskOutput>, IMultiTaskModel
{
    /// <summary>Validates the common arguments.</summary>
    protected MultiTaskModel(string modelName, FeatureLayout layout, IReadOnlyList<string> taskNames, ModelOptions options)
        : base(modelName)
    {
        ArgumentNullException.ThrowIfNull(layout);
        ArgumentNullException.ThrowIfNull(taskNames);
        ArgumentNullException.ThrowIfNull(options);
        if (taskNames.Count < 1)
        {
            throw new ArgumentException("A model needs at least one task.", nameof(taskNames));
        }

        if (taskNames.Distinct(StringComparer.Ordinal).Count() != taskNames.Count)
        {
            throw new ArgumentException("Task names must be distinct.", nameof(taskNames));
        }

        options.Validate();
        ModelName = modelName;
        Layout = layout;
        TaskNames = taskNames.ToArray();
        Options = options;
    }

    /// <inheritdoc />
    public string ModelName { get; }

    /// <inheritdoc />
    public IReadOnlyList<string> TaskNames { get; }

    /// <summary>Number of tasks T.</summary>
    public int TaskCount => TaskNames.Count;

    /// <inheritdoc />
    public FeatureLayout Layout { get; }

    /// <inheritdoc />
    public ModelOptions Options { get; }

    /// <inheritdoc />
    public nn.Module TorchModule => this;

    /// <inheritdoc />
    public virtual IReadOnlyList<int>? ExpertOwners => null;

    /// <inheritdoc />
    public virtual Parameter? LastSharedLayer => null;

    /// <inheritdoc />
    public IReadOnlyList<EmbeddingBank> EmbeddingBanks => modules().OfType<EmbeddingBank>().ToArray();

    /// <inheritdoc />
    public MultiTaskOutput Forward(FeatureBatch batch) => forward(batch);

    /// <inheritdoc />
    public IReadOnlyList<Parameter> DenseParameters()
    {
        var tables = new HashSet<IntPtr>(EmbeddingBanks.SelectMany(b => b.Tables).Select(t => t.Handle));
        return parameters().Where(p => p.requires_grad && !tables.Contains(p.Handle)).ToArray();
    }

    /// <inheritdoc />
    public virtual Tensor? AuxiliaryLoss(MultiTaskOutput output, Tensor labels, Tensor? labelMask) => null;

    /// <summary>Options for an MLP part with this model's activation, batch norm, dropout and precision.</summary>
    protected MlpOptions Mlp(IReadOnlyList<int> units) => new()
    {
        HiddenUnits = units,
        Activation = Options.Activation,
        BatchNorm = Options.BatchNorm,
        Dropout = Options.Dropout,
        Precision = Options.Precision,
    };
}
