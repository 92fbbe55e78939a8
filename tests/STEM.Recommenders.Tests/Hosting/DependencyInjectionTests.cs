using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using STEM.Recommenders.Hosting;
using STEM.Recommenders.Models;
using STEM.Recommenders.Serving;
using STEM.Recommenders.Training;
using TorchSharp;

namespace STEM.Recommenders.Tests.Hosting;

public class DependencyInjectionTests
{
    private static IHost Host(Dictionary<string, string?> settings)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddStemRecommenders(builder.Configuration.GetSection("Stem"));
        return builder.Build();
    }

    [Fact]
    public async Task Options_are_bound_from_configuration_and_lists_replace_their_defaults()
    {
        using var host = Host(new()
        {
            ["Stem:Training:Epochs"] = "3",
            ["Stem:Training:Optimizer:LearningRate"] = "0.01",
            ["Stem:Models:stem-net:ExpertUnits:0"] = "64",
            ["Stem:Models:stem-net:ExpertUnits:1"] = "32",
            ["Stem:Models:stem-net:GateInput"] = "TaskOnly",
            ["Stem:Models:stem-net:BatchNorm"] = "true",
            ["Stem:Runtime:Device"] = "Cpu",
        });
        await host.StartAsync();

        var options = host.Services.GetRequiredService<IOptions<StemOptions>>().Value;
        var stem = (StemNetOptions)options.OptionsFor("stem-net");
        stem.ExpertUnits.Should().Equal(64, 32);
        stem.GateInput.Should().Be(STEM.Recommenders.Modules.GateInput.TaskOnly);
        stem.BatchNorm.Should().BeTrue();
        stem.TowerUnits.Should().Equal(128, 64);
        options.Training.Epochs.Should().Be(3);
        options.Training.Optimizer.LearningRate.Should().Be(0.01);
        options.Training.BatchSize.Should().Be(4096);

        using var model = host.Services.GetRequiredService<IModelFactory>().Create("STEM-NET", TinyData.Layout, TinyData.Tasks2);
        model.TorchModule.named_parameters().Single(p => p.name == "net.experts.0.experts.weights.1").parameter.shape.Should().Equal(2 + 8, 64, 32);
        host.Services.GetRequiredService<Trainer>().Options.Epochs.Should().Be(3);
        await host.StopAsync();
    }

    [Fact]
    public async Task Invalid_options_fail_at_start_naming_the_setting()
    {
        using var host = Host(new() { ["Stem:Training:BatchSize"] = "0", ["Stem:Models:mmoe:Experts"] = "0" });

        var act = () => host.StartAsync();

        var error = (await act.Should().ThrowAsync<OptionsValidationException>()).Which;
        error.Failures.Should().Contain(f => f.StartsWith("Stem:Training:BatchSize: TrainerOptions.BatchSize must be at least 1", StringComparison.Ordinal));
        error.Failures.Should().Contain(f => f.StartsWith("Stem:Models:mmoe:Experts: MmoeOptions.Experts must be in [1, 1024]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_unknown_model_section_is_an_error_naming_it()
    {
        using var host = Host(new() { ["Stem:Models:deepfm:EmbeddingDim"] = "8" });

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<ExperimentConfigException>()).WithMessage("configuration: Stem:Models:deepfm: Unknown model 'deepfm'*");
    }

    [Fact]
    public async Task A_value_of_the_wrong_type_names_the_setting()
    {
        using var host = Host(new() { ["Stem:Training:Epochs"] = "many" });

        var act = () => host.StartAsync();

        (await act.Should().ThrowAsync<ExperimentConfigException>()).WithMessage("configuration: Stem:Training:epochs: *");
    }

    [Fact]
    public async Task The_delegate_overload_and_the_predictor_work_under_the_generic_host()
    {
        using var data = SyntheticSplits.Create(rows: 300);
        torch.manual_seed(3);
        using var model = new Mmoe(data.Pipeline.Layout, data.Pipeline.TaskNames, (MmoeOptions)TinyData.Small(Mmoe.Name));
        var path = Path.Combine(TestPaths.TempDirectory(), "model");
        using (var artifact = ModelArtifact.Create(model, data.Pipeline, ownsModel: false))
        {
            await artifact.SaveAsync(path);
        }

        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Services.AddStemRecommenders(o =>
        {
            o.ArtifactPath = path;
            o.Runtime = o.Runtime with { Device = STEM.Recommenders.Runtime.ComputeDevice.Cpu };
        });
        using var host = builder.Build();
        await host.StartAsync();

        var predictor = host.Services.GetRequiredService<Predictor>();
        var scores = predictor.Predict(new Dictionary<string, string?> { ["x0"] = "0.5", ["category"] = "3" });

        scores.Keys.Should().Equal("task0", "task1");
        scores.Values.Should().OnlyContain(p => p > 0 && p < 1);
        host.Services.GetRequiredService<Predictor>().Should().BeSameAs(predictor);
        await host.StopAsync();
    }
}
