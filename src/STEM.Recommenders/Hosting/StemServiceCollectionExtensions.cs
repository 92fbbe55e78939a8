using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using STEM.Recommenders.Data;
using STEM.Recommenders.Serving;
using STEM.Recommenders.Training;
using STEM.Recommenders.Training.Weighting;

namespace STEM.Recommenders.Hosting;

/// <summary>Registers STEM.Recommenders with a service collection (the Generic Host, ASP.NET Core).</summary>
public static class StemServiceCollectionExtensions
{
    /// <summary>
    /// Registers options bound from <paramref name="configuration"/> (usually
    /// <c>configuration.GetSection("Stem")</c>) and validated at start, an <see cref="IModelFactory"/>,
    /// a <see cref="Trainer"/>, an <see cref="IModelEvaluator"/>, an <see cref="ExperimentRunner"/>
    /// and a <see cref="Predictor"/> over Stem:ArtifactPath.
    /// </summary>
    public static IServiceCollection AddStemRecommenders(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSingleton<IConfigureOptions<StemOptions>>(new StemOptionsSetup(configuration));
        return services.AddStemCore();
    }

    /// <summary>Registers the same services, configured in code.</summary>
    public static IServiceCollection AddStemRecommenders(this IServiceCollection services, Action<StemOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.Configure(configure);
        return services.AddStemCore();
    }

    private static IServiceCollection AddStemCore(this IServiceCollection services)
    {
        services.AddOptions<StemOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<StemOptions>, StemOptionsValidator>());
        services.TryAddSingleton(TableReaderRegistry.CreateDefault());
        services.TryAddSingleton<IModelFactory, ModelFactory>();
        services.TryAddSingleton<IModelEvaluator, ModelEvaluator>();
        services.TryAddSingleton(sp => new ExperimentRunner(sp.GetService<ILoggerFactory>(), sp.GetRequiredService<TableReaderRegistry>()));
        services.TryAddTransient(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StemOptions>>().Value;
            var weighting = options.Weighting;
            return new Trainer(options.Training, () => LossWeightings.Create(weighting), sp.GetService<ILogger<Trainer>>());
        });
        services.TryAddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StemOptions>>().Value;
            var path = options.ArtifactPath ?? throw new InvalidOperationException("Set Stem:ArtifactPath to the model artifact the Predictor should serve.");
            var device = ExperimentRunner.StartRuntime(options.Runtime);
            return Predictor.LoadAsync(path, device).GetAwaiter().GetResult();
        });
        return services;
    }
}
