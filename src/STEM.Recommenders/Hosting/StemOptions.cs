using STEM.Recommenders.Models;
using STEM.Recommenders.Datasets;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;

namespace STEM.Recommenders.Hosting;

/// <summary>
/// The options behind <see cref="StemServiceCollectionExtensions.AddStemRecommenders(Microsoft.Extensions.DependencyInjection.IServiceCollection, Microsoft.Extensions.Configuration.IConfiguration)"/>,
/// usually the "Stem" configuration section. Validated once when the host starts.
/// </summary>
public sealed class StemOptions
{
    /// <summary>Device, threads and an optional PyTorch torch/lib directory.</summary>
    public RuntimeConfig Runtime { get; set; } = new();

    /// <summary>The training loop.</summary>
    public TrainerOptions Training { get; set; } = new();

    /// <summary>How task losses are combined.</summary>
    public WeightingConfig Weighting { get; set; } = new();

    /// <summary>
    /// Options per model name ("stem-net", "mmoe", …); a model not listed gets its defaults. In
    /// configuration the section key names the model: <c>"Models": { "stem-net": { "SharedExperts": 4 } }</c>.
    /// </summary>
    public Dictionary<string, ModelOptions> Models { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The model a hosted training run trains. Default "stem-net".</summary>
    public string Model { get; set; } = StemNet.Name;

    /// <summary>Data for hosted training runs, or <see langword="null"/>.</summary>
    public DataConfig? Data { get; set; }

    /// <summary>A model artifact (directory or .stem file) that the registered <see cref="Serving.Predictor"/> loads.</summary>
    public string? ArtifactPath { get; set; }

    /// <summary>Where hosted training runs write their artifact and reports, or <see langword="null"/>.</summary>
    public string? OutputDirectory { get; set; }

    /// <summary>The options of a model: configured, else its defaults.</summary>
    public ModelOptions OptionsFor(string model)
    {
        var name = ModelCatalog.Resolve(model);
        return Models.TryGetValue(name, out var options) ? options : ModelCatalog.DefaultOptions(name);
    }

    /// <summary>The experiment a hosted training run performs.</summary>
    /// <exception cref="InvalidOperationException">No data is configured.</exception>
    public ExperimentConfig ToExperiment() => new()
    {
        Data = Data ?? throw new InvalidOperationException("Configure Stem:Data to train (a preset with its files, or a schema)."),
        Model = OptionsFor(Model),
        Training = Training,
        Weighting = Weighting,
        Runtime = Runtime,
    };
}
