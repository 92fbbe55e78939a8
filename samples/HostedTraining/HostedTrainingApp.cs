using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using STEM.Recommenders.Hosting;

namespace HostedTraining;

/// <summary>Builds the host: STEM services from the "Stem" configuration section and the training service.</summary>
public static class HostedTrainingApp
{
    /// <summary>Builds the host; it trains once and stops itself.</summary>
    /// <param name="args">Command-line arguments; configuration overrides such as <c>--Stem:Training:Epochs=1</c>.</param>
    /// <param name="contentRoot">Where appsettings.json is read from; the app's base directory by default.</param>
    public static IHost Build(string[] args, string? contentRoot = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = contentRoot ?? AppContext.BaseDirectory });
        builder.Services.AddStemRecommenders(builder.Configuration.GetSection("Stem"));
        builder.Services.AddSingleton<TrainingService>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<TrainingService>());
        return builder.Build();
    }

    /// <summary>The host's training service (its <see cref="TrainingService.Report"/> is set when training succeeded).</summary>
    public static TrainingService Service(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        return host.Services.GetRequiredService<TrainingService>();
    }
}
